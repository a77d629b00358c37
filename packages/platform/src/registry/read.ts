/** Reading untyped documents (already linted, but never trusted to have every field): core's reader. */
import { arr, scalarText } from "@quanta/core/read";

export { arr, type Obj, obj, scalarText as str } from "@quanta/core/read";
/** The scalars of a list as text (`tags: [2024, eu]` → `["2024", "eu"]`). */
export const strs = (v: unknown): string[] => arr(v).flatMap((x) => scalarText(x) ?? []);
