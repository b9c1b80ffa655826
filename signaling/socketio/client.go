package socketio

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// clientDir is the folder of the client files, inside Config.Client, that
// holds the socket.io-client bundle (the frontend build copies the npm
// package's dist/ there).
const clientDir = "socket.io"

// clientFile matches the bundle's file names the reference server serves:
// socket.io.js, socket.io.min.js, socket.io.esm.min.js,
// socket.io.msgpack.min.js and their source maps.
var clientFile = regexp.MustCompile(`^socket\.io(\.msgpack|\.esm)?(\.min)?\.js(\.map)?$`)

// clientFiles serves the socket.io-client bundle from memory, as the
// reference server does, with an ETag so browsers revalidate cheaply.
type clientFiles map[string]clientAsset

type clientAsset struct {
	body []byte
	etag string
}

// loadClientFiles reads the bundle's files from files/socket.io. A nil
// files, or one without the folder, serves nothing.
func loadClientFiles(files fs.FS) (clientFiles, error) {
	out := clientFiles{}
	if files == nil {
		return out, nil
	}
	entries, err := fs.ReadDir(files, clientDir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !clientFile.MatchString(e.Name()) {
			continue
		}
		body, err := fs.ReadFile(files, clientDir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out[e.Name()] = clientAsset{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	}
	return out, nil
}

// ServeHTTP answers GET and HEAD for one of the bundle's files.
func (c clientFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, Path)
	a, ok := c[name]
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if strings.HasSuffix(name, ".map") {
		h.Set("Content-Type", "application/json")
	} else {
		h.Set("Content-Type", "application/javascript; charset=utf-8")
	}
	h.Set("Cache-Control", "public, max-age=0")
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
