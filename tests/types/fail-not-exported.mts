// expect: TS2305
import { InitOutput } from "cph-jobs";
console.log(InitOutput);
