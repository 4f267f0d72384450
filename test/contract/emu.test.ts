/** The backend contract suite on the emulator. test:xen runs the same cases natively. */
import { gnttabContract } from './gnttab.contract.js';
import { evtchnContract } from './evtchn.contract.js';
import { dmopContract } from './dmop.contract.js';
import { inspectContract } from './inspect.contract.js';
import { shbufContract } from './shbuf.contract.js';
import { emuEnv } from './emu-env.js';

gnttabContract(emuEnv);
evtchnContract(emuEnv);
dmopContract(emuEnv);
shbufContract(emuEnv);
inspectContract(emuEnv);
