// expect: TS2345
import { CphClient } from "cph-jobs";
new CphClient({ endpoint: "https://h", token: "t" });
