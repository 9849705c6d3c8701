// expect: TS2322
import { listJobs } from "cph-jobs";
const response = await listJobs("https://h", "p", "r", "t");
const phone: string = response.jobs[0].phoneId;
console.log(phone);
