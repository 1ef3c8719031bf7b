using System.Text.Json.Nodes;
using LightMesh.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace LightMesh.Core.Parsing;

/// <summary>
/// Builds the trees of a YAML stream from the parser's events with a stack of its own, never by recursion, so that no
/// input can overflow the stack. Nesting past <see cref="DocumentLimits.MaxDepth"/>, more than
/// <see cref="DocumentLimits.MaxNodes"/> nodes once aliases are expanded, and an alias to a node that holds it stop the
/// reading; duplicate keys, keys that are not strings, numbers out of range and forbidden characters are all collected.
/// Each error names the document and the path where it is.
/// </summary>
internal sealed class YamlTreeBuilder(string source, string text)
{
    private const int MaxKeyInPath = 64;

    private readonly List<ValidationError> _errors = [];
    private readonly List<YamlTree.YamlDocumentNode> _documents = [];
    private readonly List<Frame> _frames = [];
    private readonly Dictionary<string, Anchor> _anchors = new(StringComparer.Ordinal);
    private int _nodes;
    private int _number;
    private int _line;

    public (IReadOnlyList<YamlTree.YamlDocumentNode> Documents, IReadOnlyList<ValidationError> Errors) Read()
    {
        var parser = new Parser(new StringReader(text));
        while (Next(parser) && Handle(parser.Current!))
        {
        }

        return _errors.Count > 0 ? ([], _errors) : (_documents, []);
    }

    /// <summary>The next step when the parser met a tab where YAML wants spaces, which editors hide.</summary>
    private static string TabHint(string message) =>
        message.Contains("tab", StringComparison.OrdinalIgnoreCase) ? "; indent with spaces: YAML does not allow tabs there" : "";

    /// <summary>Moves the parser on; false at the end, or when it fails, having recorded why.</summary>
    private bool Next(Parser parser)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (YamlException e)
        {
            var (line, column) = Where(e);
            _errors.Add(new ValidationError(source, "", "", $"not valid YAML or JSON: line {line}, column {column}: {Inner(e).Message}{TabHint(Inner(e).Message)}"));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet fails on some malformed input with exceptions of these kinds (": [\nr" did); the fault is still the input's.
            var after = parser.Current?.End is { } end ? $"after line {end.Line}, column {end.Column}" : "at its start";
            _errors.Add(new ValidationError(source, "", "", $"not valid YAML or JSON: {after}: the YAML parser cannot read what follows"));
        }

        return false;
    }

    /// <summary>Takes one event; false when reading must stop.</summary>
    private bool Handle(ParsingEvent e)
    {
        switch (e)
        {
            case DocumentStart:
                // Aliases refer to anchors of their own document only.
                _anchors.Clear();
                return true;
            case Scalar scalar:
                Begin(e);
                if (!scalar.Anchor.IsEmpty)
                {
                    _anchors[scalar.Anchor.Value] = new Anchor { Scalar = scalar };
                }

                return Count(1) && AddScalar(scalar);
            case AnchorAlias alias:
                Begin(e);
                return AddAlias(alias);
            case NodeEvent start and (MappingStart or SequenceStart):
                Begin(e);
                return Open(start);
            case MappingEnd or SequenceEnd:
                Close();
                return true;
            default:
                return true;
        }
    }

    /// <summary>A node at the top starts the next document: the stream's root, or an item of a top-level JSON array.</summary>
    private void Begin(ParsingEvent e)
    {
        if (AtTop && !StartsDocumentList(e))
        {
            _number++;
            _line = (int)e.Start.Line;
        }
    }

    private bool AtTop => _frames.Count == 0 || _frames[^1].IsDocumentList;

    // A JSON array at the top of a file holds several documents.
    private bool StartsDocumentList(ParsingEvent e) =>
        e is SequenceStart && _frames.Count == 0 && _number == 0 && e.Start.Line == 1 && text.AsSpan().TrimStart().StartsWith("[");

    private bool Open(NodeEvent start)
    {
        if (_frames.Count + 1 > DocumentLimits.MaxDepth)
        {
            return Stop($"nested deeper than {DocumentLimits.MaxDepth} levels of maps and lists, the limit for a document");
        }

        if (!Count(1))
        {
            return false;
        }

        var frame = new Frame
        {
            Node = start is MappingStart ? new JsonObject() : new JsonArray(),
            IsDocumentList = StartsDocumentList(start),
            NodesBefore = _nodes - 1,
        };
        if (!start.Anchor.IsEmpty)
        {
            frame.Anchor = _anchors[start.Anchor.Value] = new Anchor { Open = true };
        }

        _frames.Add(frame);
        return true;
    }

    private void Close()
    {
        var frame = _frames[^1];
        _frames.RemoveAt(_frames.Count - 1);
        if (frame.IsDocumentList)
        {
            return;
        }

        var height = frame.Height + 1;
        if (frame.Anchor is { } anchor)
        {
            anchor.Open = false;
            anchor.Node = frame.Node;
            anchor.Nodes = _nodes - frame.NodesBefore;
            anchor.Height = height;
        }

        Attach(frame.Node, key: null, height);
    }

    private bool AddAlias(AnchorAlias alias)
    {
        var name = alias.Value.Value;
        if (!_anchors.TryGetValue(name, out var anchor))
        {
            Error(Path(), $"alias *{name} refers to no anchor (&{name}) before it in its document");
            Skip();
            return true;
        }

        if (anchor.Open)
        {
            return Stop($"alias *{name} refers to a node that holds it (an alias cycle)");
        }

        if (anchor.Scalar is { } scalar)
        {
            return Count(1) && AddScalar(scalar);
        }

        if (_nodes + anchor.Nodes > DocumentLimits.MaxNodes)
        {
            return Stop($"alias *{name} adds {anchor.Nodes} nodes: more than {DocumentLimits.MaxNodes} nodes once aliases are expanded, the limit for a file");
        }

        if (_frames.Count + anchor.Height > DocumentLimits.MaxDepth)
        {
            return Stop($"alias *{name} nests deeper than {DocumentLimits.MaxDepth} levels of maps and lists once expanded, the limit for a document");
        }

        _nodes += anchor.Nodes;
        Attach(anchor.Node!.DeepClone(), key: null, anchor.Height);
        return true;
    }

    private bool AddScalar(Scalar scalar)
    {
        var value = scalar.Value;
        if (DocumentCharacters.FirstForbidden(value) is var at and >= 0)
        {
            Error(Path(), $"{(InKey ? "a key" : "the value")} holds {DocumentCharacters.Describe(value, at)}; documents may hold no control character but tab and line ends");
            Skip();
            return true;
        }

        JsonNode? node = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any ? YamlTree.ResolvePlain(value) : JsonValue.Create(value);
        if (!InKey && node is JsonValue number && number.TryGetValue<double>(out var d) && !double.IsFinite(d))
        {
            Error(Path(), $"{value} is out of range for a number");
            node = null;
        }

        Attach(node, value, 0);
        return true;
    }

    private bool InKey => _frames.Count > 0 && _frames[^1] is { Node: JsonObject, HasKey: false };

    /// <summary>Stands in for a node that was refused: a null value, or a key whose value is dropped.</summary>
    private void Skip()
    {
        if (InKey)
        {
            _frames[^1].HasKey = true;
            _frames[^1].Key = null;
        }
        else
        {
            Attach(null, key: null, 0);
        }
    }

    /// <summary>Puts a finished node where it belongs: a document, a list's next item, a map's key, or the value of that key.</summary>
    /// <param name="key">The node's text when it may serve as a map's key (a scalar); null for a map or list.</param>
    private void Attach(JsonNode? node, string? key, int height)
    {
        if (AtTop)
        {
            _documents.Add(new YamlTree.YamlDocumentNode(node, _number, _line));
            return;
        }

        var parent = _frames[^1];
        parent.Height = Math.Max(parent.Height, height);
        if (parent.Node is JsonArray list)
        {
            list.Add(node);
            parent.Index++;
            return;
        }

        var map = (JsonObject)parent.Node;
        if (!parent.HasKey)
        {
            if (key is null)
            {
                Error(Path(), "a key must be a string, not a map or a list");
            }
            else if (map.ContainsKey(key))
            {
                Error(ReadContext.Field(Path(), Segment(key)), "the key is given more than once");
                key = null;
            }

            parent.HasKey = true;
            parent.Key = key;
            return;
        }

        if (parent.Key is { } field)
        {
            map[field] = node;
        }

        parent.HasKey = false;
        parent.Key = null;
    }

    private bool Count(int nodes)
    {
        _nodes += nodes;
        return _nodes <= DocumentLimits.MaxNodes || Stop($"more than {DocumentLimits.MaxNodes} nodes, the limit for a file");
    }

    private bool Stop(string message)
    {
        Error(Path(), message);
        return false;
    }

    private void Error(string path, string message) => _errors.Add(new ValidationError(source, YamlTree.LabelOf(_number, _line), path, message));

    /// <summary>Where the parser is, as ReadContext writes paths (<c>spec.http[0].route</c>), relative to the document.</summary>
    private string Path()
    {
        var path = "";
        foreach (var frame in _frames)
        {
            if (frame.IsDocumentList)
            {
                continue;
            }

            if (frame.Node is JsonArray)
            {
                path = ReadContext.Index(path, frame.Index);
            }
            else if (frame.HasKey)
            {
                path = ReadContext.Field(path, frame.Key is null ? "?" : Segment(frame.Key));
            }
        }

        return path;
    }

    // A key of any length may be refused; its path need not repeat all of it.
    private static string Segment(string key) => key.Length <= MaxKeyInPath ? key : $"{key[..MaxKeyInPath]}…";

    private static Exception Inner(Exception e) => e.InnerException is YamlException inner ? Inner(inner) : e;

    /// <summary>
    /// Where to point the reader: the parser's own mark, except for a tab used as indentation, which it reports at the
    /// start of the mapping around it (line 1, column 1 for a tab on line 5): there, the first such tab from that mark on.
    /// </summary>
    private (long Line, long Column) Where(YamlException e)
    {
        if (!Inner(e).Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            return (e.Start.Line, e.Start.Column);
        }

        var lines = text.Split('\n');
        for (var i = (int)Math.Max(0, e.Start.Line - 1); i < lines.Length; i++)
        {
            var indentation = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indentation)
            {
                return (i + 1, tab + 1);
            }
        }

        return (e.Start.Line, e.Start.Column);
    }

    /// <summary>A map or list being read.</summary>
    private sealed class Frame
    {
        public required JsonNode Node { get; init; }

        /// <summary>A top-level JSON array, whose items are documents.</summary>
        public bool IsDocumentList { get; init; }

        public int NodesBefore { get; init; }

        public Anchor? Anchor { get; set; }

        /// <summary>The greatest height of the items read so far.</summary>
        public int Height { get; set; }

        /// <summary>A list's next index.</summary>
        public int Index { get; set; }

        /// <summary>A map's key has been read and its value is next; <see cref="Key"/> is null when that value is to be dropped.</summary>
        public bool HasKey { get; set; }

        public string? Key { get; set; }
    }

    /// <summary>A node with an anchor: a scalar (read again at each alias), or a map or list, open until it ends.</summary>
    private sealed class Anchor
    {
        public bool Open { get; set; }

        public Scalar? Scalar { get; init; }

        public JsonNode? Node { get; set; }

        /// <summary>Nodes in it, its own aliases expanded.</summary>
        public int Nodes { get; set; }

        /// <summary>Levels of maps and lists in it.</summary>
        public int Height { get; set; }
    }
}
