export const platformVersion = "0.1.0";
