import { type Issue, UnprocessableError } from "@quanta/core";

/** A document the platform will not accept, with every issue that says why (HTTP 422). */
export class RefusedError extends UnprocessableError {
  readonly issues: readonly Issue[];
  constructor(message: string, issues: readonly Issue[]) {
    super(message, { code: "refused" });
    this.issues = issues;
  }
}
