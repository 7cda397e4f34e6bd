/** Base class of the publications package's errors (editions and targets). */
export class PublicationError extends Error {
  override readonly name: string = 'PublicationError';
}

/** A publication with this id exists already: publications are written once and never replaced. */
export class PublicationExistsError extends PublicationError {
  override readonly name = 'PublicationExistsError';
}

/** A stored edition is not what its metadata says (a division's figures missing or unreadable). */
export class CorruptEditionError extends PublicationError {
  override readonly name = 'CorruptEditionError';
}
