// expect: TS2305
import { initSync } from "cph-jobs";
console.log(initSync);
