module github.com/pungo/pungo

go 1.26.8

require (
	github.com/beevik/etree v1.8.1
	github.com/cavaliergopher/rpm v1.3.0
	github.com/dsnet/compress v0.0.1
	github.com/klauspost/compress v1.20.3
	github.com/knqyf263/go-rpm-version v0.0.0-20260811110310-1815e1f1b790
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/ulikunitz/xz v0.5.17
	go.yaml.in/yaml/v3 v3.0.6
)

require golang.org/x/crypto v0.23.0 // indirect
