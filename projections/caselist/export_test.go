package caselist

// BoardsComputed returns how many times p computed its board.
func BoardsComputed(p *Postgres) int64 { return p.boards.computed.Load() }

// OnBoardJoined calls f each time an asker of p's board waits on a
// computation. It must be set before the board is asked for.
func OnBoardJoined(p *Postgres, f func()) { p.boards.joinedFunc = f }
