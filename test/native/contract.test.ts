/** The backend contract suite on the native backend: the very cases the emulator passes. */
import { dmopContract } from '../contract/dmop.contract.js';
import { evtchnContract } from '../contract/evtchn.contract.js';
import { gnttabContract } from '../contract/gnttab.contract.js';
import { inspectContract } from '../contract/inspect.contract.js';
import { shbufContract } from '../contract/shbuf.contract.js';
import { nativeEnv } from './native-env.js';

gnttabContract(nativeEnv);
evtchnContract(nativeEnv);
dmopContract(nativeEnv);
shbufContract(nativeEnv);
inspectContract(nativeEnv);
