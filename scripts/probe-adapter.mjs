// Exits 0 and prints the adapter's description when Dawn finds a WebGPU adapter, 1 otherwise.
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.error('no WebGPU adapter');
  process.exit(1);
}
const info = adapter.info ?? {};
console.log(`${info.vendor ?? '?'} ${info.architecture ?? ''} ${info.description ?? ''}`.trim());
globalThis.__keep = gpu;
process.exit(0);
