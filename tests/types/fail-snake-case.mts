// expect: TS2551
import { listJobs } from "cph-jobs";
const response = await listJobs("https://h", "p", "r", "t");
console.log(response.request_id);
