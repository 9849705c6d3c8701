// expect: TS2353
import { CphClient } from "cph-jobs";
new CphClient({ projectId: "p", token: "t" }).listJobs({ requestID: "r" });
