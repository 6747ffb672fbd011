/*
 * gen-items.c - realistic item records for the benchmarks (sm-item(5), one JSON object a
 * line): German and English customer-care posts of 80-280 characters about outages,
 * billing, refunds, routers, praise and questions, with mentions, hashtags, URLs, umlauts
 * and ß, from a pool of 50,000 authors on three networks, spread over a year.
 * Deterministic: the same N and SEED give the same bytes on every machine.
 *
 * usage: gen-items N [SEED] > FILE      (built and run by tests/bench/gen-items)
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { POOL = 50000, MIN_CHARS = 80, MAX_CHARS = 280 };
#define YEAR_START 1763856000LL /* 2025-11-23T00:00:00Z */
#define YEAR_SECS (365LL * 86400)
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* splitmix64: small, fast, and the same everywhere */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static int below(int n) { return (int)(rnd() % (uint64_t)n); }
static double unit(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static int chance(double p) { return unit() < p; }
#define PICK(a) ((a)[below(N(a))])

/* a hash of an author's index, so the pool needs no table */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 33)) * 0xff51afd7ed558ccdULL;
	x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* ---- vocabulary; %C city, %S street, %N number, %A amount, %P device, %D month ---- */

enum { OUTAGE, BILLING, REFUND, ROUTER, PRAISE, QUESTION, OTHER, NCAT };
/* shares of the categories, in per cent */
static const int cat_share[NCAT] = {20, 15, 8, 17, 10, 17, 13};

static const char *const de_s[NCAT][10] = {
	[OUTAGE] = {"Seit heute Morgen kein Internet in %C.",
		    "Schon wieder eine Störung in %C, seit %N Stunden geht nichts.",
		    "Ist bei euch eine Störung bekannt? Die DSL-Lampe blinkt nur noch.",
		    "Das Internet fällt jeden Abend gegen %N Uhr aus.",
		    "Die Hotline sagt \"Störung bekannt\", aber keiner weiß, wie lange noch.",
		    "Mobilfunk in %C komplett weg, kein Netz seit gestern.",
		    "Homeoffice unmöglich, die Leitung ist tot.",
		    "Wann ist die Großstörung in %C endlich behoben?",
		    "Festnetz und Internet in der %S gehen seit %N Tagen nicht.",
		    "Nur 2 Mbit statt 250, das ist doch keine Leistung."},
	[BILLING] = {"Meine Rechnung ist diesen Monat %A € höher als vereinbart.",
		     "Warum wird der Tarif doppelt abgebucht?",
		     "Ich habe eine Mahnung bekommen, obwohl ich pünktlich gezahlt habe.",
		     "Die Rechnung für %D stimmt nicht, bitte prüfen.",
		     "Seit der Vertragsverlängerung zahle ich mehr, das war so nicht abgemacht.",
		     "Auf der Rechnung steht eine Option, die ich nie gebucht habe.",
		     "Die Lastschrift ging schon wieder zurück, warum?",
		     "Roaminggebühren auf der Rechnung, obwohl ich in Deutschland war."},
	[REFUND] = {"Wann bekomme ich meine Erstattung über %A €?",
		    "Die Gutschrift für den Ausfall wurde zugesagt, aber nie überwiesen.",
		    "Ich warte seit %N Wochen auf die Rückerstattung.",
		    "Bitte erstattet mir die zu viel gezahlten %A € zurück.",
		    "Euer Kollege hat eine Gutschrift versprochen, passiert ist nichts."},
	[ROUTER] = {"Der %P startet ständig neu.",
		    "Nach dem Firmware-Update kommt in der Küche kein WLAN mehr an.",
		    "Der %P zeigt nur eine rote LED, Neustart hilft nicht.",
		    "Wie setze ich den %P auf Werkseinstellungen zurück?",
		    "Brauche einen neuen %P, der alte ist kaputt.",
		    "Das WLAN-Passwort auf dem Aufkleber funktioniert nicht.",
		    "Der Techniker hat den %P angeschlossen, seitdem geht gar nichts mehr.",
		    "Mein Repeater verliert alle %N Minuten die Verbindung."},
	[PRAISE] = {"Danke an den Techniker heute, super freundlich und schnell!",
		    "Top Service, Problem in %N Minuten gelöst.",
		    "Großes Lob an die Hotline 👍",
		    "Endlich Glasfaser in der %S, läuft wie verrückt.",
		    "Der Chat-Support war heute wirklich hilfreich, danke!",
		    "Alles wieder da, vielen Dank für die schnelle Hilfe."},
	[QUESTION] = {"Kann ich meinen Vertrag zum %D kündigen?",
		      "Gibt es in der %S in %C schon Glasfaser?",
		      "Wie lange dauert ein Umzug des Anschlusses?",
		      "Wo finde ich meine Kundennummer?",
		      "Wie ändere ich die Bankverbindung für die Lastschrift?",
		      "Bekomme ich als Bestandskunde auch den neuen Tarif?",
		      "Ist der Techniker-Termin am %N. schon bestätigt?",
		      "Kann man die Rufnummer bei einem Wechsel mitnehmen?"},
	[OTHER] = {"Paket mit dem neuen %P ist laut Tracking seit %N Tagen in Zustellung.",
		   "Die App meldet sich ständig ab.",
		   "Die Warteschleife dauert heute wieder über %N Minuten.",
		   "Bin umgezogen in die %S, wer kümmert sich um den Anschluss?",
		   "Im Kundenportal kann ich mich seit dem Update nicht mehr anmelden.",
		   "Der Shop in %C hat mich wieder an die Hotline verwiesen."},
};
static const char *const en_s[NCAT][10] = {
	[OUTAGE] = {"No internet since this morning in %C.",
		    "Is there an outage in %C? Everything is down.",
		    "The connection keeps dropping every evening around %N pm.",
		    "Third outage this week, this is ridiculous.",
		    "Mobile data has been broken since yesterday.",
		    "Your status page says \"all systems operational\" but nothing works.",
		    "Working from home is impossible, the line is dead.",
		    "Getting 2 Mbps instead of 500, what is going on?"},
	[BILLING] = {"My bill is %A higher than last month.",
		     "You charged me twice for %D.",
		     "Why is there a roaming fee on my invoice? I never left the country.",
		     "The direct debit failed again and now there is a late fee.",
		     "My contract price went up without any notice.",
		     "There is an add-on on my bill I never ordered."},
	[REFUND] = {"Still waiting for my refund of %A.",
		    "When will the refund for the outage be paid?",
		    "I was promised a refund %N weeks ago.",
		    "Please refund the %A you took by mistake.",
		    "Your agent said the credit would show up on my next bill. It did not."},
	[ROUTER] = {"My %P keeps rebooting every few minutes.",
		    "The wifi is broken since the firmware update.",
		    "The %P has a blinking red light, what does that mean?",
		    "How do I factory reset the %P?",
		    "The replacement %P arrived broken.",
		    "The password on the sticker of the %P does not work."},
	[PRAISE] = {"Thanks for fixing it so quickly, great support!",
		    "Shoutout to the technician who came today 🙌",
		    "Problem solved in %N minutes, impressed.",
		    "Fibre finally arrived on %S and it is fast.",
		    "Your chat support was really helpful today, thank you!"},
	[QUESTION] = {"Can I upgrade to fibre at %S, %C?",
		      "How do I change the bank account for the direct debit?",
		      "Can I cancel my contract at the end of %D?",
		      "Where do I find my customer number?",
		      "Is my engineer appointment on the %Nth confirmed?",
		      "Can I keep my number when I switch?"},
	[OTHER] = {"The app keeps logging me out.",
		   "I have been on hold for %N minutes now.",
		   "Moved to %S, who sets up my line?",
		   "Tracking says the new %P is out for delivery since %N days.",
		   "Cannot log in to my account since the update."},
};
static const char *const de_open[] = {"Hallo!", "Hi!", "Liebes Service-Team!", "Moin!",
				      "Guten Tag!", "Hallo zusammen!"};
static const char *const en_open[] = {"Hi!", "Hello!", "Hey there!", "Dear support team!"};
static const char *const de_close[] = {"Danke!", "Bitte um Rückmeldung.", "Das nervt echt.",
				       "Was ist da los?", "Unfassbar.", "Grüße aus %C",
				       "Vielen Dank im Voraus.", "Bitte meldet euch per DM."};
static const char *const en_close[] = {"Thanks!", "Please help.", "So annoying.", "Any update?",
				       "Cheers", "Not impressed.", "DM me please."};
static const char *const brand[] = {"@acme_hilft", "@AcmeService", "@acme_support",
				    "@acme_netz", "@AcmeCares"};
/* a hashtag of the category first, then general ones */
static const char *const de_ctag[NCAT] = {"#Störung", "#Rechnung", "#Erstattung", "#WLAN",
					  "#Danke", "#Frage", "#Kundenservice"};
static const char *const en_ctag[NCAT] = {"#outage", "#billing", "#refund", "#wifi",
					  "#thanks", "#question", "#customerservice"};
static const char *const de_tags[] = {"#Internet", "#Ärger", "#Glasfaser", "#Homeoffice",
				      "#fail", "#Digitalisierung", "#Neuland"};
static const char *const en_tags[] = {"#fail", "#broadband", "#help", "#fibre", "#wfh"};
static const char *const cities[] = {
	"Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Düsseldorf", "Nürnberg",
	"Göttingen", "Lübeck", "Würzburg", "Gießen", "Saarbrücken", "Osnabrück", "Fürth",
	"Mönchengladbach", "Leipzig", "Dresden", "Münster", "London", "Manchester", "Leeds",
	"Bristol", "Dublin"};
static const char *const streets[] = {"Hauptstraße", "Schloßallee", "Gießener Straße",
				      "Große Bleiche", "Bahnhofstraße", "Lindenstraße",
				      "Mühlenweg", "Kurfürstendamm", "Süderstraße"};
/* all masculine, so "der %P" and "den %P" read right */
static const char *const devices[] = {"Router", "WLAN-Router", "Speedport", "Glasfaser-Router",
				      "Repeater", "Mesh-Router", "Hybrid-Router"};
static const char *const de_months[] = {"Januar", "Februar", "März", "April", "Mai", "Juni",
					"Juli", "August", "September", "Oktober", "November",
					"Dezember"};
static const char *const en_months[] = {"January", "February", "March", "April", "May",
					"June", "July", "August", "September", "October",
					"November", "December"};
static const char *const de_first[] = {
	"Anna", "Jörg", "Jürgen", "Sören", "Björn", "Käthe", "Günther", "Jens", "Sabine",
	"Thomas", "Michael", "Stefanie", "Uwe", "Ute", "Dörte", "Lena", "Mia", "Lukas", "Jonas",
	"Özlem", "Mehmet", "Katrin", "Heike", "Frank", "Ralf", "Birgit", "Petra", "Bärbel",
	"Hannes", "Maximilian", "Sophie", "Marie", "Felix", "Tobias", "Ingrid", "Detlef",
	"Gökhan", "Agnieszka", "Dirk", "Svenja"};
static const char *const en_first[] = {
	"James", "Olivia", "Oliver", "Amelia", "Harry", "Isla", "Jack", "Emily", "George",
	"Ava", "Noah", "Sophie", "Charlie", "Grace", "Liam", "Chloe", "Ethan", "Ella", "Mason",
	"Lily", "Siobhan", "Aoife", "Declan", "Niamh", "Priya", "Raj", "Fatima", "Omar",
	"Zoe", "Ben", "Tom", "Kate", "Sam", "Alex", "Chris", "Megan", "Ryan", "Hannah", "Sean",
	"Ciara"};
static const char *const last[] = {
	"Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Meyer", "Wagner", "Becker",
	"Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
	"Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
	"Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Jäger",
	"Groß", "Köhler", "Yılmaz", "Kowalski", "Smith", "Jones", "Williams", "Taylor", "Brown",
	"Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Walsh", "Murphy",
	"O'Brien", "Patel", "Khan", "Wright", "Green", "Hall", "Wood", "Clarke", "Hughes",
	"Edwards", "Turner", "Baker"};
static const char *const instances[] = {"social.example", "mastodon.example",
					"norden.example", "chaos.example", "troet.example"};
static const char *const networks[] = {"mastodon", "bluesky", "discourse"};

/* ---- a growing string of one record ---- */

typedef struct {
	char s[4096];
	int len;
} str;

static void put(str *b, const char *s, int n)
{
	if (b->len + n < (int)sizeof b->s) {
		memcpy(b->s + b->len, s, (size_t)n);
		b->len += n;
		b->s[b->len] = 0;
	}
}
static void puts_(str *b, const char *s) { put(b, s, (int)strlen(s)); }
static void putf(str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(str *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->s + b->len, sizeof b->s - (size_t)b->len, fmt, ap);
	va_end(ap);
	if (n > 0 && b->len + n < (int)sizeof b->s)
		b->len += n;
}

static int chars(const char *s, int n) /* UTF-8 code points */
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* ASCII for handles: ä -> ae, ß -> ss, anything else not alphanumeric dropped */
static void ascii(str *b, const char *s)
{
	static const struct { const char *u, *a; } tr[] = {
		{"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"},
		{"ß", "ss"}, {"ı", "i"}, {"ğ", "g"}};
	while (*s) {
		int done = 0;
		for (int i = 0; i < N(tr) && !done; i++) {
			size_t k = strlen(tr[i].u);
			if (strncmp(s, tr[i].u, k) == 0) {
				puts_(b, tr[i].a);
				s += k;
				done = 1;
			}
		}
		if (done)
			continue;
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			put(b, s, 1);
		else if (*s >= 'A' && *s <= 'Z') {
			char c = (char)(*s - 'A' + 'a');
			put(b, &c, 1);
		}
		s++;
	}
}

/* ---- the author pool ---- */

typedef struct {
	int net, de;
	str handle, name;
} author;

static void make_author(int i, author *a)
{
	uint64_t h = mix((uint64_t)i + 0x5eed);
	int nf = N(de_first), nl = N(last);
	a->de = (h & 0xff) < 150; /* ~59% German speakers */
	a->net = (int)((h >> 8) % 100) < 50 ? 0 : (int)((h >> 8) % 100) < 85 ? 1 : 2;
	const char *first = a->de ? de_first[i % nf] : en_first[i % nf];
	const char *lst = last[(i / nf) % nl];
	int suffix = i / (nf * nl); /* 0..20: makes every handle of the pool distinct */
	str base = {.len = 0};
	int style = (int)((h >> 16) % 3);
	ascii(&base, first);
	puts_(&base, style == 0 ? "_" : style == 1 ? "." : "");
	ascii(&base, lst);
	if (suffix)
		putf(&base, "%d", 80 + suffix);
	a->handle.len = a->name.len = 0;
	if (a->net == 0) { /* mastodon: @user@instance */
		for (int k = 0; k < base.len; k++)
			if (base.s[k] == '.')
				base.s[k] = '_';
		putf(&a->handle, "@%.*s@%s", base.len, base.s, instances[(h >> 24) % N(instances)]);
	} else if (a->net == 1) { /* bluesky: a domain */
		for (int k = 0; k < base.len; k++)
			if (base.s[k] == '_' || base.s[k] == '.')
				base.s[k] = '-';
		putf(&a->handle, "%.*s.bsky.example", base.len, base.s);
	} else
		put(&a->handle, base.s, base.len);
	switch ((h >> 32) % 8) {
	case 0:
		putf(&a->name, "%s", first); /* just a first name */
		break;
	case 1:
		putf(&a->name, "%s %.1s.", first, lst);
		break;
	case 2:
		putf(&a->name, "%s %s 🚲", first, lst);
		break;
	default:
		putf(&a->name, "%s %s", first, lst);
	}
}

/* ---- text ---- */

static void expand(str *b, const char *t, int de)
{
	for (; *t; t++) {
		if (*t != '%' || !t[1]) {
			put(b, t, 1);
			continue;
		}
		switch (*++t) {
		case 'C': puts_(b, PICK(cities)); break;
		case 'S': puts_(b, PICK(streets)); break;
		case 'P': puts_(b, PICK(devices)); break;
		case 'N': putf(b, "%d", 2 + below(28)); break;
		case 'D': puts_(b, de ? PICK(de_months) : PICK(en_months)); break;
		case 'A':
			if (de)
				putf(b, "%d,%02d", 5 + below(180), below(100));
			else
				putf(b, "£%d.%02d", 5 + below(180), below(100));
			break;
		default: put(b, t - 1, 2);
		}
	}
}

static int pick_cat(void)
{
	int r = below(100), c = 0;
	while (c < NCAT - 1 && r >= cat_share[c])
		r -= cat_share[c++];
	return c;
}

static const char *sentence(int de, int cat)
{
	const char *const *pool = de ? de_s[cat] : en_s[cat];
	int n = 0;
	while (n < 10 && pool[n])
		n++;
	return pool[below(n)];
}

/* Append piece p (with a separator) to text t if it stays within MAX_CHARS. */
static int add(str *t, const str *p, const char *sep)
{
	if (chars(t->s, t->len) + chars(p->s, p->len) + (t->len ? 1 : 0) > MAX_CHARS)
		return 0;
	if (t->len)
		puts_(t, sep);
	put(t, p->s, p->len);
	return 1;
}

static void make_text(str *t, int de, int cat, const author *pool, int npool)
{
	str p;
	t->len = 0;
	if (chance(0.7)) { /* addressed to the brand, sometimes with another user */
		p.len = 0;
		puts_(&p, PICK(brand));
		if (chance(0.1)) {
			const char *h = pool[below(npool)].handle.s;
			putf(&p, " %s%s", h[0] == '@' ? "" : "@", h);
		}
		add(t, &p, " ");
	}
	if (chance(0.3)) {
		p.len = 0;
		puts_(&p, de ? PICK(de_open) : PICK(en_open));
		add(t, &p, " ");
	}
	const char *used[16];
	int nused = 0;
	for (int tries = 0; tries < 16 && (tries < 1 + below(2) || chars(t->s, t->len) < MIN_CHARS);
	     tries++) {
		const char *s = sentence(de, tries < 2 || chance(0.6) ? cat : pick_cat());
		int seen = 0;
		for (int k = 0; k < nused; k++)
			seen |= used[k] == s;
		if (seen)
			continue; /* nobody says the same sentence twice */
		used[nused++] = s;
		p.len = 0;
		expand(&p, s, de);
		add(t, &p, chance(0.06) ? "\n" : " ");
	}
	if (chance(0.5)) {
		p.len = 0;
		expand(&p, de ? PICK(de_close) : PICK(en_close), de);
		add(t, &p, " ");
	}
	int ntags = below(4) - 1, ngen = de ? N(de_tags) : N(en_tags), g = below(ngen);
	for (int k = 0; k < ntags; k++, g = (g + 1) % ngen) {
		p.len = 0;
		puts_(&p, k == 0 ? (de ? de_ctag[cat] : en_ctag[cat]) : de ? de_tags[g] : en_tags[g]);
		add(t, &p, " ");
	}
	if (chance(0.12)) {
		p.len = 0;
		switch (below(3)) {
		case 0: putf(&p, "https://status.acme.example/incidents/%d", 1000 + below(9000)); break;
		case 1: putf(&p, "https://img.example/a/%08" PRIx64, (uint64_t)(rnd() & 0xffffffffULL)); break;
		default: putf(&p, "https://speedtest.example/result/%d", below(100000000));
		}
		add(t, &p, " ");
	}
	t->s[t->len] = 0;
}

static void json_str(str *b, const char *s, int n)
{
	put(b, "\"", 1);
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			put(b, "\\", 1);
			put(b, s + i, 1);
		} else if (c == '\n')
			puts_(b, "\\n");
		else if (c < 0x20)
			putf(b, "\\u%04x", c);
		else
			put(b, s + i, 1);
	}
	put(b, "\"", 1);
}

static int metric(double mean)
{
	int v = (int)(-mean * log(1.0 - unit()));
	return chance(0.005) ? v * 40 + below(2000) : v; /* now and then one goes viral */
}

int main(int argc, char **argv)
{
	static author pool[POOL];
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen-items N [SEED]\n");
		return 64;
	}
	long n = strtol(argv[1], NULL, 10);
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
	for (int i = 0; i < POOL; i++)
		make_author(i, &pool[i]);

	static char obuf[1 << 20];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	str line, text;
	for (long i = 0; i < n; i++) {
		/* a few authors write a lot: index = POOL * u^2 */
		double u = unit();
		const author *a = &pool[(int)(POOL * u * u)];
		int de = chance(0.9) ? a->de : !a->de;
		int cat = pick_cat();
		make_text(&text, de, cat, pool, POOL);

		/* created_at: in order over the year, with an hour of jitter */
		long long t = YEAR_START + (long long)((double)i * YEAR_SECS / (double)n) +
			      below(3600);
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		char when[32];
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

		static const char *const kinds[] = {"mention", "mention", "mention", "mention",
						    "mention", "post", "post", "comment",
						    "comment", "direct"};
		char ext[64], url[512];
		const char *bare = a->handle.s + (a->handle.s[0] == '@');
		uint64_t seq = 113000000000000000ULL + (uint64_t)i * 1000 + (uint64_t)below(1000);
		if (a->net == 0) {
			snprintf(ext, sizeof ext, "%" PRIu64, seq);
			const char *at = strchr(bare, '@');
			snprintf(url, sizeof url, "https://%s/@%.*s/%s", at + 1, (int)(at - bare),
				 bare, ext);
		} else if (a->net == 1) {
			static const char b32[] = "234567abcdefghijklmnopqrstuvwxyz";
			uint64_t v = seq;
			ext[0] = '3';
			ext[1] = 'l';
			for (int k = 12; k >= 2; k--, v >>= 5)
				ext[k] = b32[v & 31];
			ext[13] = 0;
			snprintf(url, sizeof url, "https://bsky.example/profile/%s/post/%s", bare, ext);
		} else {
			snprintf(ext, sizeof ext, "%ld-%ld", 20000 + i / 7, i % 7 + 1);
			snprintf(url, sizeof url, "https://forum.acme.example/t/%ld/%ld", 20000 + i / 7,
				 i % 7 + 1);
		}

		line.len = 0;
		putf(&line, "{\"ext_id\":\"%s\",\"network\":\"%s\",\"kind\":\"%s\",\"url\":\"%s\","
			    "\"author\":{\"handle\":",
		     ext, networks[a->net], PICK(kinds), url);
		json_str(&line, a->handle.s, a->handle.len);
		puts_(&line, ",\"name\":");
		json_str(&line, a->name.s, a->name.len);
		puts_(&line, "},\"text\":");
		json_str(&line, text.s, text.len);
		putf(&line, ",\"lang\":\"%s\",\"created_at\":\"%s\","
			    "\"metrics\":{\"likes\":%d,\"reposts\":%d,\"replies\":%d}}\n",
		     de ? "de" : "en", when, metric(cat == PRAISE ? 6 : 2), metric(0.5), metric(0.8));
		fwrite(line.s, 1, (size_t)line.len, stdout);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gen-items: write");
		return 74;
	}
	return 0;
}
