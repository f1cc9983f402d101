/**
 * SSH (RFC 4253): the identification strings both sides send first
 * ("SSH-protoversion-softwareversion comments\r\n", section 4.2) identify the
 * protocol; the binary packet after them carrying SSH_MSG_KEXINIT (section
 * 7.1) gives the HASSH fingerprints (Salesforce's HASSH: MD5 of
 * "kex;encryption;mac;compression" name-lists, client-to-server lists for the
 * client, server-to-client lists for the server), printed in uppercase as
 * nDPI does. server_name is the client's banner, as nDPI reports it.
 * Risks: obsolete SSH versions (protocol 1.x) and weak ciphers (arcfour,
 * 3des-cbc, blowfish-cbc, cast128-cbc, des) per side.
 * Ignores: everything after KEXINIT (the rest is encrypted).
 */
import { hash } from 'node:crypto';
import { P, Risk } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOfByte, startsWith } from '../bytes';

const SSH_DASH = ascii('SSH-');
const MSG_KEXINIT = 20;
const MAX_BANNER = 255;

const WEAK_CIPHERS = ['arcfour', 'arcfour128', 'arcfour256', '3des-cbc', 'blowfish-cbc', 'cast128-cbc', 'des-cbc', 'des'];

interface SshState {
  banner: [boolean, boolean];
  /** Stream offset where each direction's binary packets start. */
  binOff: [number, number];
  hassh: [boolean, boolean];
}

/** Reads the identification line at buf[off, end); returns its end (after LF) or -1 when incomplete, -2 when not SSH. */
function bannerEnd(buf: Buffer, off: number, end: number): number {
  if (!startsWith(buf, off, end, SSH_DASH)) {
    // A partial "SSH-" prefix may still be SSH.
    for (let i = 0; i < Math.min(4, end - off); i++) if (buf[off + i] !== SSH_DASH[i]) return -2;
    return -1;
  }
  const lf = indexOfByte(buf, off, Math.min(end, off + MAX_BANNER), 10);
  if (lf < 0) return end - off >= MAX_BANNER ? -2 : -1;
  return lf + 1;
}

function nameList(ctx: DissectContext): string | undefined {
  const n = ctx.cur.u32();
  if (ctx.cur.overrun || n > ctx.cur.remaining()) return undefined;
  return ctx.cur.latin1(n);
}

function weakCipher(list: string): string | undefined {
  return list.split(',').find((c) => WEAK_CIPHERS.includes(c));
}

export const dissector: Dissector = {
  id: P.SSH,
  on: On.Tcp,
  tcpPorts: [22],
  budget: 16,
  tcpFirstBytes: [0x53], // 'S'SH-
  tcpFirstPacket: { short: [0x53] }, // an incomplete "SSH-" banner waits
  stream: true,
  fields: ['server_name', 'client_banner', 'server_banner', 'hassh_c', 'hassh_s'],
  doc: 'SSH identification strings (RFC 4253 4.2) on any port; HASSH-C/HASSH-S from SSH_MSG_KEXINIT; obsolete versions and weak ciphers as risks.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as SshState | undefined;
    const dir = ctx.dir;
    const end = ctx.off + ctx.len;
    if (st === undefined || !st.banner[dir]) {
      const e = bannerEnd(ctx.buf, ctx.off, end);
      if (e === -2) return st === undefined ? Verdict.Exclude : Verdict.Detected;
      if (e === -1) return st === undefined ? Verdict.Continue : Verdict.Detected;
      let textEnd = e - 1;
      if (textEnd > ctx.off && ctx.buf[textEnd - 1] === 13) textEnd--;
      const banner = ctx.buf.toString('latin1', ctx.off, textEnd);
      if (st === undefined) {
        st = { banner: [false, false], binOff: [0, 0], hassh: [false, false] };
        ctx.state = st;
      }
      st.banner[dir] = true;
      st.binOff[dir] = e - ctx.off;
      if (dir === Dir.C2S) {
        ctx.set('client_banner', banner);
        ctx.set('server_name', banner);
      } else {
        ctx.set('server_banner', banner);
      }
      if (/^SSH-1\.(?!99)/.test(banner)) ctx.risk(dir === Dir.C2S ? Risk.SSH_Obsolete_Cli_Vers_Cipher : Risk.SSH_Obsolete_Ser_Vers_Cipher, 'SSH protocol 1');
      ctx.detect(P.SSH);
    }
    if (!st.hassh[dir]) {
      // Binary packet: uint32 packet_length, byte padding_length, payload (msg code first).
      const cur = ctx.cur;
      cur.pos = ctx.off + st.binOff[dir];
      const plen = cur.u32();
      cur.u8();
      const code = cur.u8();
      if (cur.overrun) return Verdict.Detected;
      if (code !== MSG_KEXINIT || plen < 16 || plen > 35000) {
        st.hassh[dir] = true;
      } else if (cur.has(plen - 2)) {
        cur.skip(16);
        const kex = nameList(ctx);
        nameList(ctx);
        const encC = nameList(ctx);
        const encS = nameList(ctx);
        const macC = nameList(ctx);
        const macS = nameList(ctx);
        const compC = nameList(ctx);
        const compS = nameList(ctx);
        st.hassh[dir] = true;
        if (kex !== undefined && encC !== undefined && encS !== undefined && macC !== undefined && macS !== undefined &&
            compC !== undefined && compS !== undefined) {
          const client = dir === Dir.C2S;
          const text = client ? `${kex};${encC};${macC};${compC}` : `${kex};${encS};${macS};${compS}`;
          ctx.set(client ? 'hassh_c' : 'hassh_s', hash('md5', Buffer.from(text, 'latin1'), 'hex').toUpperCase());
          const weak = weakCipher(client ? encC : encS);
          if (weak !== undefined) ctx.risk(client ? Risk.SSH_Obsolete_Cli_Vers_Cipher : Risk.SSH_Obsolete_Ser_Vers_Cipher, `Found cipher ${weak}`);
        }
      } else if (ctx.len >= 16384) {
        st.hassh[dir] = true;
      }
    }
    return st.hassh[0] && st.hassh[1] ? Verdict.Done : Verdict.Detected;
  },
};
