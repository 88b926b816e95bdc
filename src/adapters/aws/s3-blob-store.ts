import {
  DeleteObjectsCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore } from '#core/ports/blob-store.ts';

export interface StoredObject {
  readonly bytes: Uint8Array;
  readonly contentType?: string;
  /** User metadata (`x-amz-meta-*`), lower-case names. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectHead {
  readonly size: number;
  readonly metadata: Readonly<Record<string, string>>;
}

const isNotFound = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

/** BlobStore on one S3 bucket. The client is injected (region, endpoint and credentials are the
 * caller's business); every key is used verbatim. */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async getObject(key: string): Promise<StoredObject | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      return { bytes, ...(res.ContentType ? { contentType: res.ContentType } : {}), metadata: res.Metadata ?? {} };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Size and metadata without the body: limits and ownership are checked before anything is read,
   * and a removal event is checked against what the key holds now (issue 13 items 3, 8). */
  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const res = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, metadata: res.Metadata ?? {} };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.getObject(key))?.bytes;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /** Deleting a missing key succeeds (S3 semantics), which keeps removals idempotent. */
  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of res.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** Delete every version and delete marker under `prefix` (a versioned bucket keeps a deleted
   * object's old versions until its lifecycle rule expires them). Returns how many were deleted,
   * or undefined where the store has no versioning API (s3rver answers 405/501). */
  async purgeVersions(prefix: string): Promise<number | undefined> {
    let purged = 0;
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      let res;
      try {
        res = await this.s3.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(keyMarker ? { KeyMarker: keyMarker, VersionIdMarker: versionMarker } : {}),
          }),
        );
      } catch (err) {
        const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
        if (status === 405 || status === 501) return undefined;
        throw err;
      }
      const objects = [...(res.Versions ?? []), ...(res.DeleteMarkers ?? [])]
        .filter((v) => v.Key !== undefined)
        .map((v) => ({ Key: v.Key!, ...(v.VersionId ? { VersionId: v.VersionId } : {}) }));
      if (objects.length > 0)
        await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
        );
      purged += objects.length;
      keyMarker = res.IsTruncated ? res.NextKeyMarker : undefined;
      versionMarker = res.NextVersionIdMarker;
    } while (keyMarker);
    return purged;
  }

  /** A time-limited GET URL for one object (crops shown by the API). */
  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }

  /** A time-limited PUT URL for exactly one key. The content type is signed (a signed header: the
   * upload fails unless it sends exactly this type), and so is the metadata, so the uploader must
   * send them as given (the owner metadata lets the detect stage cross-check). A PUT cannot bind a
   * size range: the detect stage checks the size on HEAD; `presignPost` binds it at the door. */
  presignPut(
    key: string,
    expiresInSeconds: number,
    contentType: string,
    metadata: Record<string, string>,
  ): Promise<string> {
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, Metadata: metadata }),
      {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(['content-type']),
        unhoistableHeaders: new Set(Object.keys(metadata).map((k) => `x-amz-meta-${k}`)),
      },
    );
  }

  /** A time-limited browser-form POST for exactly one key whose policy binds the size range
   * (`content-length-range`, enforced by S3 before it stores a byte), the content type and the
   * metadata. */
  presignPost(
    key: string,
    expiresInSeconds: number,
    contentType: string,
    metadata: Record<string, string>,
    maxBytes: number,
  ): Promise<PresignedPost> {
    const fields: Record<string, string> = {
      'Content-Type': contentType,
      ...Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    };
    return createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: key,
      Expires: expiresInSeconds,
      Fields: fields,
      Conditions: [['content-length-range', 1, maxBytes], ...Object.entries(fields).map(([k, v]) => ({ [k]: v }))],
    });
  }
}
