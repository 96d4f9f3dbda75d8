import OMSPlatform
import Testing

@Suite("Environment reader: typed settings, refusals that name the variable")
struct EnvironmentReaderTests {
    let env = EnvironmentReader(["N": "42", "BAD": "4x", "NEG": "-1", "FEN": "9900", "B1": "TRUE", "B0": "no", "BX": "maybe", "L": " a, b ,,c "])

    @Test("integers and fen: the fallback when unset, the value when in range, a ConfigurationError naming the key otherwise")
    func numbers() throws {
        #expect(try env.integer("N", 1, 1...100) == 42)
        #expect(try env.integer("UNSET", 7, 1...100) == 7)
        #expect(try env.fen("FEN", 0) == 9_900)
        #expect(try env.seconds("N", 1, 1...60) == .seconds(42))
        for (key, range) in [("BAD", 1...100), ("NEG", 0...100), ("N", 1...10)] {
            #expect { try env.integer(key, 1, range) } throws: { ($0 as? ConfigurationError)?.key == key }
        }
        #expect { try env.fen("NEG", 0) } throws: { ($0 as? ConfigurationError)?.key == "NEG" }
    }

    @Test("booleans accept true/false, 1/0, yes/no in any case and refuse anything else; lists are trimmed")
    func booleansAndLists() throws {
        #expect(try env.bool("B1", false) && !(try env.bool("B0", true)) && (try env.bool("UNSET", true)))
        #expect { try env.bool("BX", true) } throws: { ($0 as? ConfigurationError)?.key == "BX" }
        #expect(env.list("L") == ["a", "b", "c"] && env.list("UNSET").isEmpty)
    }
}
