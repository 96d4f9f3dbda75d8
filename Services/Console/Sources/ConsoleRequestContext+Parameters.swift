import Hummingbird

extension ConsoleRequestContext {
    /// A path parameter that is a service's id (letters, digits, '-', '_', '.'; 1-80 characters),
    /// else the not-found page: nothing else is ever put into a service's URL.
    func identifier(_ name: String) throws -> String {
        guard let value = parameters.get(name), (1...80).contains(value.count),
              value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ConsoleFailure.notFound
        }
        return value
    }
}
