/* util.c - the small shared helpers: SHA-1, UTF-8 repair, the time arguments of commands. */
#include <stdlib.h>

#include "smkit.h"
#include "tap.h"

int main(void)
{
	char hex[41];
	size_t n;
	time_t t;

	sm_sha1_hex("", 0, hex);
	tap_is(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1 of nothing");
	sm_sha1_hex("abc", 3, hex);
	tap_is(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 of abc");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sm_sha1_hex(two, strlen(two), hex);
	tap_is(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1 of the two-block vector");

	char h256[65];
	sm_sha256_hex("", 0, h256);
	tap_is(h256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");
	sm_sha256_hex("abc", 3, h256);
	tap_is(h256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	sm_sha256_hex(two, strlen(two), h256);
	tap_is(h256, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 of the two-block vector");
	char big[1000];
	memset(big, 'a', sizeof big);
	sm_sha256_hex(big, 1000, h256);
	tap_is(h256, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", "sha256 of 1000 a's");
	/* the lengths where the padding takes one more block, or just does not */
	static const struct { size_t n; const char *hex; } edge[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
		{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
		{128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
	};
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "sha256 of %zu a's%s", edge[i].n,
			 getenv("SM_SHA256_PORTABLE") ? " (portable code)" : "");
		sm_sha256_hex(big, edge[i].n, h256);
		tap_is(h256, edge[i].hex, name);
	}
	char *fixed = sm_utf8_fix("K\xf6ln \xe2\x82\xac", 9, &n);
	tap_is(fixed, "K\xc3\xb6ln \xe2\x82\xac", "a stray Latin-1 byte is read as windows-1252, valid UTF-8 kept");
	tap_int(sm_utf8_valid(fixed, n, NULL), 1, "the result is valid UTF-8");
	free(fixed);
	fixed = sm_utf8_fix("\x80", 1, NULL);
	tap_is(fixed, "\xe2\x82\xac", "0x80 is the euro sign in windows-1252");
	free(fixed);

	tap_int(sm_time_arg("7d", 1000000, &t), 0, "7d");
	tap_int(t, 1000000 - 7 * 86400, "is seven days back");
	tap_int(sm_time_arg("24h", 1000000, &t) == 0 && t == 1000000 - 86400, 1, "24h");
	tap_int(sm_time_arg("30m", 1000000, &t) == 0 && t == 1000000 - 1800, 1, "30m");
	tap_int(sm_time_arg("2w", 2000000, &t) == 0 && t == 2000000 - 14 * 86400, 1, "2w");
	tap_int(sm_time_arg("2026-11-01", 0, &t) == 0 && t == 1793491200, 1, "a date");
	tap_int(sm_time_arg("2026-11-01T08:00:00Z", 0, &t) == 0 && t == 1793520000, 1, "an RFC 3339 time");
	tap_int(sm_time_arg("7x", 0, &t), -1, "7x is no time");
	tap_int(sm_time_arg("soon", 0, &t), -1, "soon is no time");

	/* term.c: what a terminal receives of outside text */
	char *e = sm_term_safe("a\x1b]0;x\x07" "b\tc\nd\x7f", 0);
	tap_is(e, "a\\x1b]0;x\\x07b\\tc\\nd\\x7f", "term: C0 and DEL escaped");
	free(e);
	e = sm_term_safe("tab\tand\nline", SM_TERM_KEEP_NL);
	tap_is(e, "tab\tand\nline", "term: newline and tab kept for messages");
	free(e);
	e = sm_term_safe("\xc2\x9b" "31m \xe2\x80\xae" "txt \xe2\x81\xa6 \xff ok \xc3\xa4", 0);
	tap_is(e, "\\u009b31m \\u202etxt \\u2066 \\xff ok \xc3\xa4", "term: C1, bidi controls, bad bytes; ä kept");
	free(e);
	e = sm_term_safe("{\"a\":\t\"\xc2\x85\"}", SM_TERM_JSON);
	tap_is(e, "{\"a\": \"\\u0085\"}", "term: JSON stays JSON");
	free(e);
	e = sm_term_cell("\xc3\xa4\xc3\xb6\xc3\xbc\x1b", 2);
	tap_is(e, "\xc3\xa4\xc3\xb6", "term: a cell cut at characters, not bytes");
	free(e);
	return tap_done();
}
