// expect: TS2322
import { listJobs } from "cph-jobs";
listJobs("https://h", "p", "r", "t", { timeoutMs: "5s" });
