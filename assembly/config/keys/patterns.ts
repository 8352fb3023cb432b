// Character classes (the inside of a regular-expression [...]) the key tables' JSON Schema patterns use.
// They describe, for editors and the schema, what the readers' own checks accept (assembly/codecs/ascii.ts,
// assembly/codecs/cookies.ts and the section readers); the readers stay the authority.

/** RFC 9110 tchar: cookie and header names. */
export const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
/** tchar without "&": session names (Apache splits session pairs on "&"). */
export const TCHAR_NO_AMP = "!#$%'*+\\-.^_`|~0-9A-Za-z";
/** Visible ASCII without ";" and ",": a cookie attribute value. */
export const ATTR = "!-+\\--:<-~";
/** Printable ASCII including space. */
export const PRINTABLE = " -~";
/** Characters that stand unencoded in a URL path segment (RFC 3986 pchar without pct-encoded). */
export const PATH_SEGMENT = "0-9A-Za-z\\-._~!$&'()*+,;=:@";
/** A friendly session's name. */
export const FRIEND_NAME = "^[0-9A-Za-z_.\\-]+$";

/** Words for the documentation beside the patterns. */
export const NO_SEMICOLON_COMMA = "visible ASCII without `;` or `,`";
