/**
 * Errors across threads. A worker thread posts its error as plain data, and the thread that waits for
 * it rebuilds an error of the same kind, so the CLI still tells bad input (a typed `BluezoneError`:
 * exit 2) from a system failure (an error with a `syscall`: exit 2 or 3) and from a bug (exit 70).
 * Posting only the message, as before, turned every error of a run thread into "internal error".
 */
import { BluezoneError } from "../../src/index";

/** An error as a thread posts it. */
export interface ThreadError {
  message: string;
  /** The error's class name (`ScenarioError`, `TypeError`, …). */
  name?: string;
  /** Set when the error is a `BluezoneError`: its code. */
  bluezoneCode?: string;
  /** A system error's code, syscall and path. */
  code?: string;
  syscall?: string;
  path?: string;
  /** The stack in the thread, for BLUEZONE_DEBUG=1. */
  stack?: string;
}

/** An error (or anything thrown) as data a thread can post. */
export function toThreadError(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as NodeJS.ErrnoException;
  return {
    message: e.message,
    name: e.name,
    ...(err instanceof BluezoneError ? { bluezoneCode: err.code } : {}),
    ...(typeof e.code === "string" ? { code: e.code } : {}),
    ...(typeof e.syscall === "string" ? { syscall: e.syscall } : {}),
    ...(typeof e.path === "string" ? { path: e.path } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
  };
}

/**
 * The error a thread posted, rebuilt: a `BluezoneError` with its code and class name, a system error
 * with its code, syscall and path, or an `Error` with the message (a bug). `prefix` goes before the
 * message of the last kind only (a typed error's message is already the user's reason).
 */
export function fromThreadError(posted: ThreadError | string, prefix = ""): Error {
  if (typeof posted === "string") return new Error(`${prefix}${posted}`);
  let err: Error;
  if (posted.bluezoneCode !== undefined) {
    err = new BluezoneError(posted.bluezoneCode, posted.message);
    if (posted.name) err.name = posted.name;
  } else if (posted.syscall !== undefined) {
    err = Object.assign(new Error(posted.message), {
      code: posted.code,
      syscall: posted.syscall,
      ...(posted.path !== undefined ? { path: posted.path } : {}),
    });
  } else {
    err = new Error(`${prefix}${posted.message}`);
    if (posted.name) err.name = posted.name;
  }
  if (posted.stack) err.stack = posted.stack;
  return err;
}
