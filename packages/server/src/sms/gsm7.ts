/**
 * The GSM 03.38 default alphabet and its extension table. A message written only in these
 * characters travels as 7-bit text (160 per SMS); anything else forces UCS-2 (70 per SMS), so
 * providers that must choose the encoding themselves (Vonage `type`, SMPP `data_coding`) ask here.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';
const GSM7 = new Set([...BASIC, ...EXTENSION]);

export function isGsm7(text: string): boolean {
  for (const character of text) if (!GSM7.has(character)) return false;
  return true;
}
