/**
 * Password hashing in Backrest's format: users[].passwordBcrypt holds the base64 of a bcrypt hash.
 */
import bcrypt from "bcryptjs";

const COST = 10;

/** Returns base64(bcrypt(password)), the value for auth.users[].passwordBcrypt. */
export async function hashPassword(password: string): Promise<string> {
  const hash = await bcrypt.hash(password, COST);
  return Buffer.from(hash, "utf8").toString("base64");
}

/** Checks a password against a stored base64 bcrypt hash. A malformed hash never matches. */
export async function verifyPassword(password: string, passwordBcrypt: string): Promise<boolean> {
  const hash = Buffer.from(passwordBcrypt, "base64").toString("utf8");
  if (!hash.startsWith("$2")) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}
