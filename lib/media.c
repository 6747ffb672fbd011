/*
 * media.c - media files as the networks take them: the type and size an image's first
 * bytes say (a plan entry's file is never trusted by its name), what each network takes
 * with a post, and the multipart/form-data body (RFC 7578) an upload is sent in.
 */
#include <string.h>

#include "smkit.h"

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}
static unsigned long le24(const unsigned char *p)
{
	return (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0];
}

static void dims(sm_media_kind *k, unsigned long w, unsigned long h)
{
	if (w > 0 && h > 0 && w < 1000000 && h < 1000000) {
		k->width = (int)w;
		k->height = (int)h;
	}
}

/* JPEG: the frame header (SOFn) after the segments before it holds the size. */
static void jpeg_dims(const unsigned char *p, size_t n, sm_media_kind *k)
{
	size_t i = 2;
	while (i + 9 < n && p[i] == 0xFF) {
		unsigned char m = p[i + 1];
		if (m == 0xFF) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
			i += 2;
			continue;
		}
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			dims(k, be16(p + i + 7), be16(p + i + 5));
			return;
		}
		i += 2 + be16(p + i + 2);
	}
}

/* WebP: the size of its first chunk's kind of bitstream. */
static void webp_dims(const unsigned char *p, size_t n, sm_media_kind *k)
{
	if (n >= 30 && !memcmp(p + 12, "VP8X", 4))
		dims(k, le24(p + 24) + 1, le24(p + 27) + 1);
	else if (n >= 25 && !memcmp(p + 12, "VP8L", 4) && p[20] == 0x2F) {
		unsigned long b = (unsigned long)p[21] | (unsigned long)p[22] << 8 |
				  (unsigned long)p[23] << 16 | (unsigned long)p[24] << 24;
		dims(k, (b & 0x3FFF) + 1, (b >> 14 & 0x3FFF) + 1);
	} else if (n >= 30 && !memcmp(p + 12, "VP8 ", 4) && p[23] == 0x9D && p[24] == 0x01 && p[25] == 0x2A)
		dims(k, le16(p + 26) & 0x3FFF, le16(p + 28) & 0x3FFF);
}

/* ISO base media files (MP4, MOV, AVIF, HEIC): the major brand of the ftyp box. */
static const char *iso_type(const unsigned char *p, size_t n)
{
	static const struct {
		const char brand[5], *mime;
	} brands[] = {{"avif", "image/avif"}, {"avis", "image/avif"}, {"heic", "image/heic"},
		      {"heix", "image/heic"}, {"mif1", "image/heif"}, {"qt  ", "video/quicktime"},
		      {"M4A ", "audio/mp4"}};
	if (n < 12 || memcmp(p + 4, "ftyp", 4))
		return NULL;
	for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
		if (!memcmp(p + 8, brands[i].brand, 4))
			return brands[i].mime;
	return "video/mp4";
}

void sm_media_sniff(const void *data, size_t n, sm_media_kind *k)
{
	const unsigned char *p = data;
	const char *iso = iso_type(p, n);
	memset(k, 0, sizeof *k);
	k->mime = "application/octet-stream";
	if (n >= 24 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) {
		k->mime = "image/png";
		if (!memcmp(p + 12, "IHDR", 4))
			dims(k, be32(p + 16), be32(p + 20));
	} else if (n >= 4 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
		k->mime = "image/jpeg";
		jpeg_dims(p, n, k);
	} else if (n >= 10 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6))) {
		k->mime = "image/gif";
		dims(k, le16(p + 6), le16(p + 8));
	} else if (n >= 16 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) {
		k->mime = "image/webp";
		webp_dims(p, n, k);
	} else if (iso)
		k->mime = iso;
	else if (n >= 4 && !memcmp(p, "\x1a\x45\xdf\xa3", 4))
		k->mime = "video/webm";
	else if (n >= 4 && !memcmp(p, "OggS", 4))
		k->mime = "audio/ogg";
	else if (n >= 3 && (!memcmp(p, "ID3", 3) || (p[0] == 0xFF && (p[1] & 0xE0) == 0xE0)))
		k->mime = "audio/mpeg";
	else if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WAVE", 4))
		k->mime = "audio/wav";
}

int sm_media_limits_of(const char *network, sm_media_limits *l)
{
	static const struct {
		const char *network;
		sm_media_limits l;
	} known[] = {
		/* a status's attachments; the server's own size limits (it answers 422) */
		{"mastodon", {4, 0, 0, 1}},
		/* app.bsky.embed.images */
		{"bluesky", {4, 1000000, 1, 1}},
		/* listed in the line, never copied */
		{"outbox", {0, 0, 0, 1}},
		{"discourse", {0, 0, 0, 0}},
		{"email", {0, 0, 0, 0}},
	};
	for (size_t i = 0; network && i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(network, known[i].network)) {
			*l = known[i].l;
			return 1;
		}
	return 0;
}

/* A quoted-string of a Content-Disposition parameter, as HTML forms send it (RFC 7578
   section 4.2): '"' and line breaks percent-encoded, other UTF-8 as it is. */
static void quoted(sm_buf *b, const char *s)
{
	sm_buf_addc(b, '"');
	for (; *s; s++)
		if (*s == '"' || *s == '\r' || *s == '\n' || *s == '%')
			sm_buf_printf(b, "%%%02X", (unsigned char)*s);
		else
			sm_buf_addc(b, *s);
	sm_buf_addc(b, '"');
}

void sm_form_part(sm_buf *b, const char *boundary, const char *name, const char *filename,
		  const char *type, const void *data, size_t len)
{
	sm_buf_printf(b, "--%s\r\nContent-Disposition: form-data; name=", boundary);
	quoted(b, name);
	if (filename) {
		sm_buf_adds(b, "; filename=");
		quoted(b, filename);
	}
	sm_buf_adds(b, "\r\n");
	if (type)
		sm_buf_printf(b, "Content-Type: %s\r\n", type);
	sm_buf_adds(b, "\r\n");
	sm_buf_add(b, data, len);
	sm_buf_adds(b, "\r\n");
}

void sm_form_end(sm_buf *b, const char *boundary)
{
	sm_buf_printf(b, "--%s--\r\n", boundary);
}

void sm_form_boundary(const void *data, size_t len, const char *text, char out[48])
{
	char h[65];
	sm_sha256_hex(data, len, h);
	/* a boundary the content holds would end the part early: another one then */
	for (int i = 0;; i++) {
		snprintf(out, 48, "smkit-%d-%.32s", i, h);
		if (!memmem(data, len, out, strlen(out)) && (!text || !strstr(text, out)))
			return;
	}
}
