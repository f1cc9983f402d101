/**
 * BpfFilter: the `-f <expression>` packet filter (tcpdump/ndff syntax) for
 * frames read from capture files, applied before decoding.
 *
 * The expression is compiled by tcpdump (bpf-compile.ts) once per link type
 * seen, because a pcapng file may mix link types and each needs its own
 * offsets, and the programs run in the classic BPF interpreter (bpf.ts).
 * Creation checks the expression against Ethernet, so a bad expression is
 * reported before any input is read. Later link types are compiled either
 * ahead of time with prepare() (asynchronous) or on their first frame
 * (synchronous, a few milliseconds, once).
 *
 * LINKTYPE_NULL stores the address family in the capturing host's byte order
 * and tcpdump tests it in the file's byte order; frames do not say which
 * byte order their file had, so two programs are kept and the header itself
 * picks one (AF_* values are below 256: a big-endian header is 00 00 00 xx).
 *
 * A link type on which tcpdump refuses the expression (e.g. `ether host` on
 * raw IP) or on which it can never match rejects all its frames, and
 * onWarning is told once; tcpdump would refuse to read such a file, but a
 * mixed pcapng should still yield its other interfaces' frames.
 *
 * Ignored: nothing is truncated to the program's returned snap length; any
 * non-zero return keeps the whole frame.
 */

import { BpfError, BpfProgram } from './bpf';
import { BpfCompileOptions, CompiledBpf, CompileTarget, compileBpf, compileBpfSync } from './bpf-compile';

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
/** Cache key of LINKTYPE_NULL frames with a big-endian family field. */
const NULL_BIG_ENDIAN_KEY = -1;

export interface BpfFilterOptions extends BpfCompileOptions {
  /** Link type the expression is checked against at creation. Default LINKTYPE_ETHERNET (1). */
  validateLinkType?: number;
  /**
   * Told once per link type whose frames will all be rejected because the
   * expression cannot apply to it or can never match on it.
   */
  onWarning?: (message: string, linkType: number) => void;
}

function targetOf(key: number): CompileTarget {
  return key === NULL_BIG_ENDIAN_KEY ? { linkType: LINKTYPE_NULL, bigEndian: true } : { linkType: key };
}

export class BpfFilter {
  /** The expression as given. */
  readonly expression: string;
  private readonly options: BpfFilterOptions;
  /** Programs by link type (NULL_BIG_ENDIAN_KEY for big-endian LINKTYPE_NULL). */
  private readonly programs = new Map<number, BpfProgram>();
  private lastKey = Number.NaN;
  private lastProgram: BpfProgram | undefined;
  private readonly warned = new Set<number>();

  private constructor(expression: string, options: BpfFilterOptions) {
    this.expression = expression;
    this.options = options;
  }

  /**
   * Compiles the expression for the validation link type (Ethernet unless
   * told otherwise), synchronously. Throws a BpfError (code 'E_BPF'): reason
   * 'expression' with tcpdump's message for a bad expression, 'tcpdump'
   * when tcpdump is missing or fails. The CLI exits with code 2 on either.
   */
  static compile(expression: string, options: BpfFilterOptions = {}): BpfFilter {
    const f = new BpfFilter(expression, options);
    const key = options.validateLinkType ?? LINKTYPE_ETHERNET;
    f.store(key, compileBpfSync(expression, { linkType: key }, options));
    return f;
  }

  /** Like compile() without blocking the event loop. */
  static async create(expression: string, options: BpfFilterOptions = {}): Promise<BpfFilter> {
    const f = new BpfFilter(expression, options);
    const key = options.validateLinkType ?? LINKTYPE_ETHERNET;
    f.store(key, await compileBpf(expression, { linkType: key }, options));
    return f;
  }

  /**
   * Compiles, concurrently, the programs for link types about to be read (a
   * pcap header's link type, a pcapng's interface descriptions), so no frame
   * waits for tcpdump. Link types already compiled are skipped.
   */
  async prepare(linkTypes: Iterable<number>): Promise<void> {
    const keys = new Set<number>();
    for (const lt of linkTypes) {
      keys.add(lt);
      if (lt === LINKTYPE_NULL) keys.add(NULL_BIG_ENDIAN_KEY);
    }
    const todo = [...keys].filter((k) => !this.programs.has(k));
    const results = await Promise.all(
      todo.map((key) =>
        compileBpf(this.expression, targetOf(key), this.options).then(
          (c) => ({ key, c, e: undefined }),
          (e: unknown) => ({ key, c: undefined, e }),
        ),
      ),
    );
    for (const { key, c, e } of results) {
      if (this.programs.has(key)) continue;
      if (c !== undefined) this.store(key, c);
      else this.fail(key, e);
    }
  }

  /**
   * True when the frame passes the filter. Allocates nothing once the link
   * type's program exists; the first frame of a new link type compiles it
   * (synchronously). Throws a BpfError only if tcpdump cannot be run then.
   */
  matches(linkType: number, buf: Uint8Array, off: number, caplen: number, wireLen: number): boolean {
    let key = linkType;
    if (linkType === LINKTYPE_NULL && caplen >= 4 && buf[off] === 0 && buf[off + 1] === 0 && (buf[off + 2] | buf[off + 3]) !== 0) {
      key = NULL_BIG_ENDIAN_KEY;
    }
    let prog = this.lastProgram;
    if (key !== this.lastKey || prog === undefined) {
      prog = this.programs.get(key) ?? this.compileNow(key);
      this.lastKey = key;
      this.lastProgram = prog;
    }
    return prog.run(buf, off, caplen, wireLen) !== 0;
  }

  /**
   * The program used for a link type (compiled now if needed); bigEndian
   * selects the big-endian variant for LINKTYPE_NULL.
   */
  programFor(linkType: number, bigEndian = false): BpfProgram {
    const key = linkType === LINKTYPE_NULL && bigEndian ? NULL_BIG_ENDIAN_KEY : linkType;
    return this.programs.get(key) ?? this.compileNow(key);
  }

  private compileNow(key: number): BpfProgram {
    try {
      return this.store(key, compileBpfSync(this.expression, targetOf(key), this.options));
    } catch (e) {
      return this.fail(key, e);
    }
  }

  private store(key: number, c: CompiledBpf): BpfProgram {
    this.programs.set(key, c.program);
    if (c.rejectsAll) {
      this.warn(key, `BPF filter '${this.expression}' can never match on link type ${c.linkTypeName}: all its packets are skipped`);
    }
    return c.program;
  }

  private fail(key: number, e: unknown): BpfProgram {
    if (!(e instanceof BpfError) || e.reason !== 'expression') throw e;
    const prog = BpfProgram.load([{ code: 0x06, jt: 0, jf: 0, k: 0 }]);
    this.programs.set(key, prog);
    this.warn(key, `${e.message}: all packets of this link type are skipped`);
    return prog;
  }

  private warn(key: number, message: string): void {
    const lt = key === NULL_BIG_ENDIAN_KEY ? LINKTYPE_NULL : key;
    if (this.warned.has(lt)) return;
    this.warned.add(lt);
    if (this.options.onWarning !== undefined) this.options.onWarning(message, lt);
  }
}
