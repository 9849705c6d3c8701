// expect: TS2322
import { waitForJobs } from "cph-jobs";
waitForJobs("https://h", "p", "r", "t", { onProgress: (count: number) => count });
