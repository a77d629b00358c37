/** Value sets larger than this are not suggested (option `values`). */
export const defaultMaxValues = 20;
