/**
 * What a file does with a key, as bits in the key's postings: whether it
 * contributes the key as an entity (defining or only referencing it), as a
 * parent, or as an end of each relationship type. Queries decode only the
 * files whose bits say they can contribute to the answer.
 */
export const ROLE = {
  DEFINED: 1,
  REFERENCED: 2,
  PARENT: 4,
  /** Shifted left by the relationship type code (0–6): bits 3–9. */
  FROM: 1 << 3,
  /** Shifted left by the relationship type code: bits 10–16. */
  TO: 1 << 10,
} as const;

export const ENTITY_ROLES = ROLE.DEFINED | ROLE.REFERENCED;
export const ANY_FROM = 0x7f * ROLE.FROM;
export const ANY_TO = 0x7f * ROLE.TO;
