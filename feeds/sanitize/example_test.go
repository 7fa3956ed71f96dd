package sanitize_test

import (
	"fmt"

	"github.com/tribune/tribune/feeds/sanitize"
)

func ExampleText() {
	// A chat message that tries to set the window title, write the
	// clipboard, clear the screen and flip the text direction.
	in := "\x1b]0;pwned\x07hi\x1b]52;c;ZXZpbA==\x07 \x1b[2J\u202Eeveryone\r\n\r\n\r\n\r\nbye\x1b"
	fmt.Printf("%q\n", sanitize.Text(in, 0))
	fmt.Printf("%q\n", sanitize.Text("Café crème 👨\u200d👩\u200d👧 🇫🇷", 12))
	// Output:
	// "hi everyone\n\nbye"
	// "Café crème…"
}

func ExampleLine() {
	fmt.Printf("%q\n", sanitize.Line("\u202Ex\x1b[31mX  Gamer\tXx\n", 0))
	// Output:
	// "xX Gamer Xx"
}
