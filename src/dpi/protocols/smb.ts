/**
 * SMB over TCP: messages framed by the 4-byte NetBIOS session header (RFC 1002
 * 4.3.1 SESSION MESSAGE: type 0, then the length; [MS-SMB2] 2.1 direct TCP on
 * port 445 uses the same framing with a 24-bit length), read from the start of
 * each direction's stream on any port.
 *  - "\xffSMB" ([MS-CIFS] 2.2.3.1): SMBv1. As in nDPI, NEGOTIATE (0x72)
 *    messages are skipped, since clients open with an SMB1 negotiate offering
 *    SMB2 dialects; any other SMB1 command labels the flow NetBIOS.SMBv1 with
 *    the Unsafe Protocol risk, and SMB Insecure Vers unless the command is
 *    Transaction (0x25, mailslot browsing).
 *  - "\xfeSMB" ([MS-SMB2] 2.2.1), "\xfdSMB" (transform header, 2.2.41) and
 *    "\xfcSMB" (compression header, 2.2.42): NetBIOS.SMBv23.
 * smb_version: "SMBv1"; "SMBv3" or "SMBv2" from the DialectRevision of the
 * server's SMB2 NEGOTIATE response (0x0300 and up is SMB 3), or "SMBv3" on
 * an encrypted (transform) message.
 * Ignores: everything after the negotiation; SMB over NetBIOS datagrams
 * (netbios.ts).
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, le16 } from '../bytes';

const SMB1_NEGOTIATE = 0x72;
const SMB1_TRANS = 0x25;
const SMB2_NEGOTIATE = 0;
const SMB2_FLAGS_SERVER_TO_REDIR = 1;
/** Messages read per direction before giving up on the version. */
const MAX_MESSAGES = 8;

interface SmbState {
  /** Stream offset of the next message per direction. */
  next: [number, number];
  seen: [number, number];
  detected: boolean;
  version: boolean;
}

/** Protocol id at p: 1 SMB1, 2 SMB2, 3 transform (SMB3), 4 compression, 0 none (needs 4 bytes). */
function smbKind(buf: Buffer, p: number): number {
  if (buf[p + 1] !== 0x53 || buf[p + 2] !== 0x4d || buf[p + 3] !== 0x42) return 0;
  switch (buf[p]) {
    case 0xff: return 1;
    case 0xfe: return 2;
    case 0xfd: return 3;
    case 0xfc: return 4;
    default: return 0;
  }
}

export const dissector: Dissector = {
  id: P.SMBv23,
  alsoDetects: [P.SMBv1, P.NetBIOS],
  on: On.Tcp,
  tcpPorts: [445],
  budget: 10,
  tcpFirstBytes: [0x00], // NetBIOS session message type
  stream: true,
  // Then an SMB protocol id; short: a session message header waits for the rest.
  tcpFirstPacket: { bytes: [[4, [[0xfc, 0xff]]], [5, [0x53]], [6, [0x4d]], [7, [0x42]]], short: [0x00] },
  fields: ['smb_version'],
  doc: 'SMB1 ("\\xffSMB") and SMB2/3 ("\\xfeSMB", transform, compression) messages in NetBIOS session framing on TCP (445, 139): NetBIOS.SMBv1 / NetBIOS.SMBv23, dialect family from the negotiation.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const dir = ctx.dir;
    const end = ctx.off + ctx.len;
    let st = ctx.state as SmbState | undefined;
    if (st === undefined) {
      // First look: a session message header then an SMB protocol id.
      if (ctx.len < 1) return Verdict.Continue;
      if (buf[ctx.off] !== 0) return Verdict.Exclude;
      if (ctx.len < 8) return Verdict.Continue;
      const len = (buf[ctx.off + 1] << 16) | be16(buf, ctx.off + 2);
      if (len < 32 || smbKind(buf, ctx.off + 4) === 0) return Verdict.Exclude;
      st = { next: [0, 0], seen: [0, 0], detected: false, version: false };
      ctx.state = st;
    }
    let p = ctx.off + st.next[dir];
    while (st.seen[dir] < MAX_MESSAGES && p + 8 <= end) {
      if (buf[p] !== 0) {
        // Keep-alives and other session packets carry no SMB; anything else ends the framing.
        if (buf[p] === 0x85 && p + 4 <= end) {
          p += 4;
          continue;
        }
        st.seen[dir] = MAX_MESSAGES;
        break;
      }
      const len = (buf[p + 1] << 16) | be16(buf, p + 2);
      const kind = smbKind(buf, p + 4);
      if (kind === 0 || len < 32) {
        st.seen[dir] = MAX_MESSAGES;
        break;
      }
      const body = p + 4;
      if (kind === 1) {
        const cmd = buf[body + 4];
        if (cmd !== SMB1_NEGOTIATE && !st.detected) {
          st.detected = true;
          st.version = true;
          ctx.detect(P.SMBv1, P.NetBIOS);
          ctx.set('smb_version', 'SMBv1');
          ctx.risk(Risk.Unsafe_Protocol, 'Found SMBv1');
          if (cmd !== SMB1_TRANS) ctx.risk(Risk.SMB_Insecure_Vers, 'Found SMBv1');
        }
      } else {
        if (!st.detected) {
          st.detected = true;
          ctx.detect(P.SMBv23, P.NetBIOS);
        }
        if (!st.version) {
          if (kind === 3) {
            st.version = true;
            ctx.set('smb_version', 'SMBv3');
          } else if (kind === 2 && body + 64 + 6 <= end && le16(buf, body + 12) === SMB2_NEGOTIATE &&
                     (buf[body + 16] & SMB2_FLAGS_SERVER_TO_REDIR) !== 0 && le16(buf, body + 64) === 65) {
            const dialect = le16(buf, body + 64 + 4);
            if (dialect !== 0x02ff) {
              st.version = true;
              ctx.set('smb_version', dialect >= 0x0300 ? 'SMBv3' : 'SMBv2');
            }
          }
        }
      }
      if (p + 4 + len > end) break;
      p += 4 + len;
      st.seen[dir]++;
    }
    st.next[dir] = p - ctx.off;
    if (st.detected && (st.version || (st.seen[0] >= MAX_MESSAGES && st.seen[1] >= MAX_MESSAGES))) return Verdict.Done;
    return st.detected ? Verdict.Detected : Verdict.Continue;
  },
};
