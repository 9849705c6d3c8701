// expect: TS2367
import { CphError } from "cph-jobs";
declare const err: CphError;
if (err.kind === "throttled") console.log("never a kind");
