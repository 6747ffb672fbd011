/* sha1.c - SHA-1 (FIPS 180-4) as hex: ids for feed items that carry none, approval hashes. */
#include "smkit.h"

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char block[64];
	size_t n;
};

static uint32_t rol(uint32_t x, int k)
{
	return x << k | x >> (32 - k);
}

static void sha1_block(struct sha1 *c)
{
	uint32_t w[80], a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2], f, k, t;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)c->block[4 * i] << 24 | (uint32_t)c->block[4 * i + 1] << 16 |
		       (uint32_t)c->block[4 * i + 2] << 8 | c->block[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		if (i < 20)
			f = (b & cc) | (~b & d), k = 0x5A827999;
		else if (i < 40)
			f = b ^ cc ^ d, k = 0x6ED9EBA1;
		else if (i < 60)
			f = (b & cc) | (b & d) | (cc & d), k = 0x8F1BBCDC;
		else
			f = b ^ cc ^ d, k = 0xCA62C1D6;
		t = rol(a, 5) + f + e + k + w[i];
		e = d, d = cc, cc = rol(b, 30), b = a, a = t;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void sha1_add(struct sha1 *c, const void *p, size_t n)
{
	const unsigned char *s = p;

	c->len += n;
	while (n--) {
		c->block[c->n++] = *s++;
		if (c->n == 64) {
			sha1_block(c);
			c->n = 0;
		}
	}
}

void sm_sha1_hex(const void *data, size_t len, char out[41])
{
	struct sha1 c = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
	uint64_t bits;
	unsigned char pad = 0x80, size[8];

	sha1_add(&c, data, len);
	bits = c.len * 8;
	sha1_add(&c, &pad, 1);
	pad = 0;
	while (c.n != 56)
		sha1_add(&c, &pad, 1);
	for (int i = 0; i < 8; i++)
		size[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_add(&c, size, 8);
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned)(c.h[i / 4] >> (24 - 8 * (i % 4))) & 0xFF);
}
