// expect: TS2561
import { listJobs } from "cph-jobs";
listJobs("https://h", "p", "r", "t", { timeout: 5 });
