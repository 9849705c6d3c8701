// expect: TS2554
import { listJobs } from "cph-jobs";
listJobs("https://h", "p", "r");
