// The benchmark's baseline: a minimal Go net/http server like the seed's app (src/main.go),
// logging one zerolog JSON line per request to stdout, as the app does. Built by bench/app_bench.py
// from Debian's golang-go and golang-github-rs-zerolog-dev, offline (GOPATH=/usr/share/gocode).
package main

import (
	"net/http"
	"os"
	"time"

	"github.com/rs/zerolog"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func main() {
	zerolog.TimeFieldFormat = zerolog.TimeFormatUnixMs
	log := zerolog.New(os.Stdout).With().Timestamp().Logger()
	home := func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Success!-TESTING"))
	}
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		home(sw, r)
		log.Info().Str("method", r.Method).Str("path", r.URL.Path).Int("status", sw.status).
			Dur("duration_ms", time.Since(started)).Msg("Endpoint Hit: home")
	})
	addr := os.Getenv("HOST") + ":" + os.Getenv("PORT")
	log.Info().Msg("Starting up Go server.")
	if err := http.ListenAndServe(addr, logged); err != nil {
		log.Fatal().Err(err).Msg("listen")
	}
}
