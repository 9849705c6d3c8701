// expect: TS2345
import { listJobs } from "cph-jobs";
listJobs("https://h", 42, "r", "t");
