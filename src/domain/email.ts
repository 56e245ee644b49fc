// What passes for an email address wherever one is typed: something@somewhere.tld, no spaces.
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL_RE.test(text);
}
