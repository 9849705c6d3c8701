// expect: TS2540
import { listJobs } from "cph-jobs";
listJobs("https://h", "p", "r", "t").then((r) => {
  r.$metadata = { attempts: 0 };
});
