#!/bin/sh
# reviews.sh - an exec channel of the demo: any script that prints item records
# (JSON lines, see sm-item(5)) is a channel. A real one would scrape a review site.
cat <<'JSON'
{"ext_id":"rev-9001","network":"reviews","kind":"review","url":"https://reviews.example.com/r/9001","author":{"handle":"kunde42","name":"Kunde 42"},"text":"Seit drei Tagen kein Internet und die Hotline ist dauerbesetzt. Ein Stern.","lang":"de","created_at":"2026-11-23T06:50:00Z","rating":1}
{"ext_id":"rev-9002","network":"reviews","kind":"review","url":"https://reviews.example.com/r/9002","author":{"handle":"happy_anna","name":"Anna"},"text":"Techniker kam pünktlich, Glasfaser läuft super. Danke!","lang":"de","created_at":"2026-11-22T15:10:00Z","rating":5}
JSON
