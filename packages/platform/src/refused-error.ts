import { InputError, type Issue } from "@quanta/core";

/** A document the platform will not accept, with every issue that says why (HTTP 422). */
export class RefusedError extends InputError {
  readonly issues: readonly Issue[];
  constructor(message: string, issues: readonly Issue[]) {
    super(message);
    this.issues = issues;
  }
}
