package io.sparkvlm.synth;

/** What the simulated web does when a web image's URL is requested. */
public enum WebFault {
  /** 200 with the JPEG. */
  NONE,
  /** 404 Not Found. */
  NOT_FOUND,
  /** 500 Internal Server Error. */
  SERVER_ERROR,
  /** The JPEG, after a delay ({@code synth.web.slow-delay}). */
  SLOW,
  /** Headers, then nothing for {@code synth.web.hang-duration}: a client needs a read timeout. */
  HANGING,
  /** 200 with the first half of the JPEG (Content-Length matches what is sent). */
  TRUNCATED,
  /** 200 text/html: an error page instead of an image. */
  HTML,
  /** 302 to another path on the same server, which serves the JPEG. */
  REDIRECT,
  /** 302 to a link-local address (169.254.169.254, cloud metadata): a downloader must refuse to follow it. */
  REDIRECT_REFUSED,
  /** 200 with a valid JPEG padded past {@code synth.web.oversized-bytes}: over any sane maximum response size. */
  OVERSIZED,
  /** 200 with a small PNG whose header claims 40000x40000 pixels: must be refused before decoding. */
  DECOMPRESSION_BOMB,
  /** 200 with the JPEG and {@code X-Robots-Tag: noai, noimageai}: the publisher opts out of AI training. */
  NOAI
}
