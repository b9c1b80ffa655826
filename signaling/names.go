package signaling

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on names.
const (
	// MaxRoomNameLen is the longest room name, in characters after NFC
	// normalisation.
	MaxRoomNameLen = 64
	// MaxDisplayNameLen is the longest display name, in characters; longer
	// names are cut, not refused.
	MaxDisplayNameLen = 32
)

// RoomName validates a client-chosen room name and returns its canonical
// form: NFC-normalised, surrounding white space trimmed, 1..MaxRoomNameLen
// characters, valid UTF-8 with no control or format characters (which
// could make two rooms look alike or break a log line).
func RoomName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("room name is not valid UTF-8: %w", ErrBadRoomName)
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", fmt.Errorf("room name is empty: %w", ErrBadRoomName)
	}
	if n > MaxRoomNameLen {
		return "", fmt.Errorf("room name has %d characters, at most %d allowed: %w", n, MaxRoomNameLen, ErrBadRoomName)
	}
	visible := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", fmt.Errorf("room name contains control character %U: %w", r, ErrBadRoomName)
		}
		if isBlankLetter(r) {
			return "", fmt.Errorf("room name contains blank character %U: %w", r, ErrBadRoomName)
		}
		visible = visible || !unicode.IsSpace(r) && !unicode.Is(unicode.Zs, r)
	}
	if !visible {
		return "", fmt.Errorf("room name has no visible character: %w", ErrBadRoomName)
	}
	return s, nil
}

// isBlankLetter reports whether r is one of the characters that Unicode
// counts as letters or symbols although they draw nothing: the Hangul
// fillers and the blank Braille pattern. A room name holding one looks
// like another name, or like no name at all.
func isBlankLetter(r rune) bool {
	switch r {
	case 'ᅟ', 'ᅠ', 'ㅤ', 'ﾠ', '⠀':
		return true
	}
	return false
}

// DisplayName cleans a client-chosen display name: NFC, control and format
// characters removed, white space collapsed, cut to MaxDisplayNameLen. It
// returns "" when nothing is left, and the caller picks a default.
func DisplayName(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	space, n := false, 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if n == MaxDisplayNameLen {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
			if n == MaxDisplayNameLen {
				break
			}
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

var (
	nameAdjectives = []string{
		"Amber", "Azure", "Brave", "Bright", "Calm", "Clever", "Coral", "Crimson",
		"Gentle", "Golden", "Happy", "Jade", "Jolly", "Kind", "Lucky", "Merry",
		"Misty", "Nimble", "Quiet", "Rapid", "Silver", "Sunny", "Swift", "Violet",
	}
	nameAnimals = []string{
		"Badger", "Crane", "Dolphin", "Falcon", "Fox", "Gecko", "Heron", "Koala",
		"Lynx", "Marten", "Narwhal", "Otter", "Owl", "Panda", "Puffin", "Quokka",
		"Raven", "Robin", "Seal", "Swan", "Tiger", "Turtle", "Wolf", "Yak",
	}
)

// FriendlyName returns a random two-word name such as "Amber Fox", given to
// peers that choose none.
func FriendlyName() string {
	return pick(nameAdjectives) + " " + pick(nameAnimals)
}

func pick(words []string) string {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return words[i.Int64()]
}

// randomID returns n random bytes as unpadded base64url: 16 bytes give an
// unguessable peer id, 32 a resume token.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// Rename gives p a new display name (cleaned by DisplayName; empty is
// ErrBadField). Everyone in p's room, p included, gets KindPeerRenamed; a
// peer in no room gets it alone. In a cluster, the room's members on
// other servers get it too, and the seat's record takes the new name.
func (h *Hub) Rename(p *Peer, name string) error {
	name = DisplayName(name)
	if name == "" {
		return fmt.Errorf("rename to an empty name: %w", ErrBadField)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peers[p.id] != p {
		return fmt.Errorf("peer %s is disconnected: %w", p.id, ErrNotInRoom)
	}
	r := p.room.Load()
	var full []*Peer
	if r != nil {
		r.mu.Lock()
	}
	p.mu.Lock()
	was := p.name
	p.name = name
	p.renames++
	info := p.infoLocked()
	p.mu.Unlock()
	m := &Message{Kind: KindPeerRenamed, Peer: info}
	room := ""
	if r != nil {
		room = r.name
		m.Room = room
		full = r.deliver(m, nil, nil)
		var servers []string
		if h.cluster != nil {
			servers = r.remoteServers()
		}
		r.mu.Unlock()
		if h.cluster != nil {
			h.renameCluster(p, room, servers, info)
		}
	} else {
		p.mu.Lock()
		if !p.push(m) {
			full = append(full, p)
		}
		p.mu.Unlock()
	}
	h.emit(Event{Kind: EventPeerRenamed, Room: room, Peer: p.id, Name: name, Detail: was})
	h.dropAll(full)
	return nil
}
