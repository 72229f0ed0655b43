/**
 * Prove's documented sandbox test users, exactly as its docs list them (some with `+`, some
 * without). Numbers of the form `200100…` are not valid real numbers, so libphonenumber would
 * refuse them: the sandbox accepts exactly these strings, and stores each as written.
 */
export type TestUserKind =
  /** For curl and Postman: possession passes without the client SDK, and no device key is placed. */
  | 'short-term'
  /** The client SDK's `authenticate()` must run: device key, then the SMS code `1234`. */
  | 'unified-auth'
  /** Prove checks these through the carrier; here they take the same path as Unified Auth users. */
  | 'mobile-auth';

export interface TestUser {
  phoneNumber: string;
  kind: TestUserKind;
}

const listed: Record<TestUserKind, readonly string[]> = {
  'short-term': ['2001004018', '+2001004029'],
  'unified-auth': ['2001004014', '2001004015', '+2001004025', '+2001004026'],
  'mobile-auth': ['2001004016', '2001004017', '2001004041', '+2001004027', '+2001004028', '+2001004043'],
};

export const proveTestUsers: readonly TestUser[] = Object.freeze(
  (Object.entries(listed) as [TestUserKind, readonly string[]][]).flatMap(([kind, numbers]) =>
    numbers.map((phoneNumber) => Object.freeze({ phoneNumber, kind })),
  ),
);

const byNumber = new Map(proveTestUsers.map((user) => [user.phoneNumber, user]));

export function findTestUser(phoneNumber: string): TestUser | undefined {
  return byNumber.get(phoneNumber);
}

/** Prove's sandbox answers this (code 8007) for any number that is not a test user. */
export const NO_TEST_USER = 'no test user found matching the phone number';

/** Prove's answer (8009) for a test user requested with credentials of another project. */
export const TEST_USER_OF_ANOTHER_CLIENT = 'test user not available to these credentials';

/** The one SMS code Prove's sandbox accepts. */
export const SANDBOX_CODE = '1234';
