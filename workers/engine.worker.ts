// The engine's home in the browser: the simulation never runs on the main thread. The page talks
// to it only through the comlink API of src/lib/runtime/protocol.ts.
import { expose } from 'comlink';
import { createEngineApi } from '../src/lib/runtime/engine-api';
import { idbShelf } from '../src/lib/storage/shelf';

// A macrotask between batches lets the page's messages (pause, read) in.
const yieldToHost = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

expose(createEngineApi(idbShelf(), { clock: () => performance.now(), yieldToHost }));
