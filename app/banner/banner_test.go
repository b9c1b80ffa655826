package banner

import (
	"bytes"
	"image"
	"image/color"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"rsc.io/qr"
)

// theme is a terminal's default colours.
type theme struct {
	name   string
	fg, bg color.Gray
}

var (
	darkTheme  = theme{"dark terminal", color.Gray{Y: 0xd0}, color.Gray{Y: 0x1e}}
	lightTheme = theme{"light terminal", color.Gray{Y: 0x20}, color.Gray{Y: 0xfa}}
)

// scale is how many pixels wide one text cell is; a cell is two modules
// tall, each scale pixels.
const scale = 8

// screen renders terminal text as a terminal with theme th would show it:
// SGR colours 30/37/90/97 (foreground), 40/47/100/107 (background), 39, 49
// and 0; half blocks and spaces; anything else is a light-on-bg glyph,
// drawn as background (the decoder only needs the code).
func screen(text string, th theme) *image.Gray {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	width := 0
	for _, l := range lines {
		width = max(width, len([]rune(stripSGR(l))))
	}
	img := image.NewGray(image.Rect(0, 0, (width+4)*scale, (len(lines)+2)*2*scale))
	for i := range img.Pix {
		img.Pix[i] = th.bg.Y
	}
	for row, line := range lines {
		fg, bg := th.fg, th.bg
		col := 0
		rs := []rune(line)
		for i := 0; i < len(rs); i++ {
			if rs[i] == '\x1b' && i+1 < len(rs) && rs[i+1] == '[' {
				j := i + 2
				for j < len(rs) && rs[j] != 'm' {
					j++
				}
				for _, p := range strings.Split(string(rs[i+2:j]), ";") {
					switch p {
					case "", "0":
						fg, bg = th.fg, th.bg
					case "30", "90":
						fg = color.Gray{Y: 0}
					case "37", "97":
						fg = color.Gray{Y: 0xff}
					case "39":
						fg = th.fg
					case "40", "100":
						bg = color.Gray{Y: 0}
					case "47", "107":
						bg = color.Gray{Y: 0xff}
					case "49":
						bg = th.bg
					}
				}
				i = j
				continue
			}
			top, bottom := bg, bg
			switch rs[i] {
			case '█':
				top, bottom = fg, fg
			case '▀':
				top = fg
			case '▄':
				bottom = fg
			}
			x0, y0 := (col+2)*scale, (row+1)*2*scale
			for dy := range 2 * scale {
				c := top
				if dy >= scale {
					c = bottom
				}
				for dx := range scale {
					img.SetGray(x0+dx, y0+dy, c)
				}
			}
			col++
		}
	}
	return img
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\x1b' {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// decode reads the QR code in img.
func decode(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func TestQRScansOnDarkAndLightTerminals(t *testing.T) {
	urls := []string{"https://192.168.1.20:7480/", "https://[fd00:1234:5678::20]:7480/", "https://10.200.30.40:443/"}
	for _, url := range urls {
		out, err := Render(Info{Version: "v1", ServerName: "Lab 3", URLs: []string{url, "https://signalbox.local:7480/"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range []theme{darkTheme, lightTheme} {
			got, err := decode(screen(string(out), th))
			if err != nil || got != url {
				t.Errorf("banner for %s on a %s decodes to %q, %v; want the URL", url, th.name, got, err)
			}
		}
	}
}

// TestUncolouredQRFailsOnOneTheme shows the test can tell: the same code
// drawn in the terminal's own colours (as before) reads inverted on one of
// the themes, which scanners refuse.
func TestUncolouredQRFailsOnOneTheme(t *testing.T) {
	url := "https://192.168.1.20:7480/"
	code, err := qr.Encode(url, qr.L)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeQR(&b, code, false)
	ok := 0
	for _, th := range []theme{darkTheme, lightTheme} {
		if got, err := decode(screen(b.String(), th)); err == nil && got == url {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("an uncoloured code decoded on %d of 2 themes, want exactly 1 (the light one)", ok)
	}
}

func TestBannerSaysWhatIsWrongAndTheFix(t *testing.T) {
	tests := []struct {
		name string
		in   Info
		want []string
	}{
		{"local CA", Info{URLs: []string{"https://192.168.1.20:7480/"}, Fingerprint: "AB:CD", TrustURL: "http://192.168.1.20:7480/trust"},
			[]string{"fingerprint (SHA-256):\n  AB:CD", "http://192.168.1.20:7480/trust"}},
		{"user certificate missing the address", Info{URLs: []string{"https://203.0.113.7:7480/"}, Fingerprint: "AB", UserCert: true, Uncovered: []string{"203.0.113.7"}},
			[]string{"PROBLEM: the certificate does not cover 203.0.113.7", "subjectAltName", "without\n  --cert/--key"}},
		{"https off", Info{URLs: []string{"http://192.168.1.20:7480/"}, HTTPSOff: "no configuration folder"},
			[]string{"HTTPS is off (no configuration folder)"}},
		{"relay", Info{RelayAddr: "192.168.1.20", RelayPort: 3478}, []string{"192.168.1.20, UDP and TCP port 3478"}},
	}
	for _, tt := range tests {
		out, err := Render(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: banner lacks %q:\n%s", tt.name, w, out)
			}
		}
	}
}

// TestNoLogLineSplitsTheBanner writes the banner while other goroutines
// log through the same Terminal (stdout and stderr on one screen) and
// checks the banner arrives in one piece.
func TestNoLogLineSplitsTheBanner(t *testing.T) {
	var screenBuf bytes.Buffer // one screen: both streams land here
	term := NewTerminal(&screenBuf, &screenBuf)
	log := slog.New(slog.NewTextHandler(term.Stderr(), nil))
	block, err := Render(Info{Version: "v1", ServerName: "Lab", URLs: []string{"https://192.168.1.20:7480/"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			<-start
			for i := range 200 {
				log.Info("mdns: advertising", "goroutine", g, "i", i)
			}
		})
	}
	close(start)
	for range 20 {
		if err := term.Print(block); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if n := bytes.Count(screenBuf.Bytes(), block); n != 20 {
		t.Errorf("the banner appears whole %d times of 20", n)
	}
	if got, err := decode(screen(string(block), darkTheme)); err != nil || got != "https://192.168.1.20:7480/" {
		t.Errorf("decoded %q, %v", got, err)
	}
}
