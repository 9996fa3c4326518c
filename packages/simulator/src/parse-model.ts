/**
 * A fault chosen by the model id suffix: `sluice/simulator@<fault>`.
 *
 *   status-<CODE>          every request gets HTTP CODE (400–599) with a JSON error body
 *   status-<CODE>x<N>      only the first N requests per model + messages get it
 *   error-after-<K>        a mid-stream error chunk after K content pieces (HTTP 200)
 *   error-only             keep-alives, then an error-only data event with no `choices`
 *   drop-after-<K>         the socket is destroyed after K pieces
 *   stall-after-<K>        nothing more after K pieces; the socket stays open
 *   no-finish              every piece, then the body ends: no finish_reason, no [DONE]
 *   length-after-<K>       finish_reason "length" after K pieces, then usage and [DONE]
 *   split-utf8             multibyte characters and lines split across separate writes
 *   slow                   ten times slower than the configured pace
 */
export type Fault =
  | { kind: 'status'; status: number; times: number | undefined }
  | { kind: 'error-after' | 'drop-after' | 'stall-after' | 'length-after'; pieces: number }
  | { kind: 'error-only' | 'no-finish' | 'split-utf8' | 'slow' };

export interface ParsedModel {
  /** The suffix as written, e.g. `status-429x2`. */
  faultName: string | undefined;
  fault: Fault | undefined;
}

export type ParseModelResult =
  | { success: true; value: ParsedModel }
  | { success: false; error: string };

const statusPattern = /^status-([45]\d\d)(?:x([1-9]\d*))?$/;
const afterPattern = /^(error|drop|stall|length)-after-(\d+)$/;
const plainFaults = ['error-only', 'no-finish', 'split-utf8', 'slow'] as const;

function parseFaultName(name: string): Fault | undefined {
  const status = statusPattern.exec(name);
  if (status) {
    return {
      kind: 'status',
      status: Number(status[1]),
      times: status[2] === undefined ? undefined : Number(status[2]),
    };
  }
  const after = afterPattern.exec(name);
  if (after) {
    const kind = `${after[1]}-after` as
      | 'error-after'
      | 'drop-after'
      | 'stall-after'
      | 'length-after';
    return { kind, pieces: Number(after[2]) };
  }
  const plain = plainFaults.find((fault) => fault === name);
  return plain === undefined ? undefined : { kind: plain };
}

export function parseModel(model: string): ParseModelResult {
  const separator = model.indexOf('@');
  if (separator === -1) {
    return { success: true, value: { faultName: undefined, fault: undefined } };
  }
  const faultName = model.slice(separator + 1);
  const fault = parseFaultName(faultName);
  if (fault === undefined) {
    return {
      success: false,
      error:
        `Unknown simulator fault "${faultName}" in model "${model}". Known faults: ` +
        'status-<CODE>, status-<CODE>x<N>, error-after-<K>, error-only, drop-after-<K>, ' +
        'stall-after-<K>, no-finish, length-after-<K>, split-utf8, slow.',
    };
  }
  return { success: true, value: { faultName, fault } };
}
