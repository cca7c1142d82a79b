import { z } from "../http/openapi";

// C0 controls and DEL; a multi-line text keeps tab, line feed and carriage return. (Matching
// control characters is the point here.)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// A surrogate not in a pair (a pair reads as one code point here).
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A string a person wrote: no control characters (a NUL was stored as it came) and well-formed
 * UTF-16 (a lone surrogate was stored as "?", silently). Chain length and trim rules after it.
 */
export function humanText(options: { multiline?: boolean } = {}) {
  const control = options.multiline ? CONTROL_BUT_LINES : CONTROL;
  return z
    .string()
    .refine((value) => !control.test(value), {
      message: options.multiline
        ? "control characters other than tab and line breaks are not allowed"
        : "control characters are not allowed",
    })
    .refine((value) => !LONE_SURROGATE.test(value), { message: "not well-formed Unicode" });
}
