// Typed errors: every failure a user can hit names what was wrong.
export type ErrorCode =
  | 'MODEL_FORMAT'
  | 'UNSUPPORTED_OP'
  | 'SHAPE'
  | 'INPUT'
  | 'LIMIT'
  | 'DEVICE_LOST'
  | 'GPU_VALIDATION'
  | 'SHADER_COMPILE'
  | 'NO_ADAPTER'
  | 'RELEASED'
  | 'STALE_OUTPUT'
  | 'ABORTED'
  | 'TUNING'
  | 'MISSING_DEPENDENCY'
  | 'USAGE';

export class KestrelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}
export class ModelFormatError extends KestrelError {
  constructor(message: string) {
    super('MODEL_FORMAT', message);
  }
}
export class UnsupportedOpError extends KestrelError {
  constructor(
    readonly node: string,
    readonly op: string,
    readonly opset: number,
    detail = '',
  ) {
    super(
      'UNSUPPORTED_OP',
      `node '${node}': op ${op}${opset ? ` (opset ${opset})` : ''} is not supported${detail ? `: ${detail}` : ''}`,
    );
  }
}
export class ShapeError extends KestrelError {
  constructor(message: string) {
    super('SHAPE', message);
  }
}
export class InputError extends KestrelError {
  constructor(message: string) {
    super('INPUT', message);
  }
}
export class LimitError extends KestrelError {
  constructor(message: string) {
    super('LIMIT', message);
  }
}
export class DeviceLostError extends KestrelError {
  constructor(message: string) {
    super('DEVICE_LOST', message);
  }
}
export class GpuValidationError extends KestrelError {
  constructor(message: string) {
    super('GPU_VALIDATION', message);
  }
}
export class ShaderCompileError extends KestrelError {
  constructor(
    readonly shader: string,
    readonly messages: string[],
  ) {
    super('SHADER_COMPILE', `shader ${shader} failed to compile:\n${messages.join('\n')}`);
  }
}
export class NoAdapterError extends KestrelError {
  constructor(message: string) {
    super('NO_ADAPTER', message);
  }
}
/** The adapter asked for (KESTREL_ADAPTER / the adapter option) is not installed: names its Vulkan ICD file. */
export class AdapterNotInstalledError extends NoAdapterError {
  constructor(
    readonly adapter: string,
    readonly icdFile: string,
    hint: string,
  ) {
    super(`adapter '${adapter}' is not installed: no Vulkan ICD file at ${icdFile}; ${hint}`);
  }
}
export class ReleasedError extends KestrelError {
  constructor(what: string) {
    super('RELEASED', `${what} was released and cannot be used`);
  }
}
/** A GPU-resident output used after its session's next run or release overwrote or freed it. */
export class StaleTensorError extends KestrelError {
  constructor(name: string, why: string) {
    super('STALE_OUTPUT', `GPU output '${name}' is no longer valid: ${why}; download() it before the next run`);
  }
}
/** Loading or session creation stopped by an AbortSignal. */
export class AbortError extends KestrelError {
  constructor(what: string, reason?: unknown) {
    super(
      'ABORTED',
      `${what} was aborted${reason instanceof Error ? `: ${reason.message}` : reason ? `: ${reasonText(reason)}` : ''}`,
    );
  }
}
/** A tuning profile that cannot be read (bad JSON, wrong format, fields of the wrong type). */
export class TuningProfileError extends KestrelError {
  constructor(message: string) {
    super('TUNING', message);
  }
}
/** An optional peer dependency (`webgpu`, `onnxruntime-node`) is needed here and not installed. */
export class MissingDependencyError extends KestrelError {
  constructor(
    readonly dependency: string,
    why: string,
  ) {
    super(
      'MISSING_DEPENDENCY',
      `${why} needs the package '${dependency}', which is not installed (npm install ${dependency})`,
    );
  }
}

/** An abort reason that is not an Error, as text (a string as is, anything else as JSON). */
function reasonText(reason: unknown): string {
  return typeof reason === 'string' ? reason : (JSON.stringify(reason) ?? typeof reason);
}
