// expect: TS2540
import { JobStatus } from "cph-jobs";
JobStatus.Running = 3;
