"""A stand-in for Elasticsearch's analysis-common module, built with javac from Lucene's own
analysis factories (``lucene-analysis-common``, already in the distribution's ``lib/``).

Maven Central's integ-test distribution has no analysis-common module, and Elastic publishes
neither it nor its 8.x plugins there. The application's index settings use only names that a
stock distribution provides, so the test bed makes its server speak those same names: this
module registers ``whitespace``, ``keyword``, ``pattern``, ``ngram``, ``edge_ngram`` …
tokenizers, ``asciifolding``, ``edge_ngram``, ``cjk_bigram``, ``cjk_width``, ``synonym_graph``
… filters and ``mapping``/``pattern_replace``/``html_strip`` char filters, with Elasticsearch's
parameter names and defaults, each one backed by the Lucene factory that implements it (one
table in the Java source). A parameter the table does not know is an error, not ignored. The
names are also pre-configured (usable without settings), as the stock module does.

It is a classic plugin (``plugin-descriptor.properties`` with a ``classname``) installed as a
*module*: copied into ``<home>/modules/analysis-common`` (modules need no plugin CLI and load
first). A running server picks it up on its next start.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .common import TestbedError, log
from .elasticsearch_plugins import _javac

if TYPE_CHECKING:
    from .elasticsearch import Elasticsearch

ANALYSIS_COMMON_SOURCE = """\
package org.yipin.testbed.analysis;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.lucene.analysis.AbstractAnalysisFactory;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.*;
import org.apache.lucene.analysis.cjk.*;
import org.apache.lucene.analysis.classic.*;
import org.apache.lucene.analysis.core.*;
import org.apache.lucene.analysis.email.*;
import org.apache.lucene.analysis.en.*;
import org.apache.lucene.analysis.miscellaneous.*;
import org.apache.lucene.analysis.ngram.*;
import org.apache.lucene.analysis.path.*;
import org.apache.lucene.analysis.pattern.*;
import org.apache.lucene.analysis.reverse.*;
import org.apache.lucene.analysis.synonym.*;
import org.apache.lucene.analysis.th.*;
import org.apache.lucene.analysis.tr.*;
import org.apache.lucene.util.ResourceLoader;
import org.apache.lucene.util.ResourceLoaderAware;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Yipin test-bed stand-in for Elasticsearch's analysis-common module: the stock names
 * (edge_ngram, asciifolding, whitespace, pattern ...) with their Elasticsearch parameter names,
 * each built from the Lucene analysis factory that implements it (lucene-analysis-common is in
 * the distribution's lib/). A parameter the table does not know is an error, never ignored.
 */
public final class CommonAnalysis extends Plugin implements AnalysisPlugin {

    /** One component: its Elasticsearch name, its Lucene factory, its parameters. */
    static final class Spec {
        final String name;
        final Class<? extends AbstractAnalysisFactory> factory;
        final Map<String, String> params = new LinkedHashMap<>(); // es name -> lucene name
        final Map<String, String> defaults = new LinkedHashMap<>(); // es name -> es default
        final List<String> inlineLists = new ArrayList<>(); // lucene params given as a list
        boolean multiTerm;

        Spec(String name, Class<? extends AbstractAnalysisFactory> factory, String... params) {
            this.name = name;
            this.factory = factory;
            for (String p : params) {
                // "es_name:luceneName", "es_name:luceneName=default", "es_name:@luceneName"
                String[] kv = p.split("=", 2);
                String[] names = kv[0].split(":", 2);
                String lucene = names.length > 1 ? names[1] : names[0];
                if (lucene.startsWith("@")) {
                    lucene = lucene.substring(1);
                    inlineLists.add(lucene);
                }
                this.params.put(names[0], lucene);
                if (kv.length > 1) {
                    defaults.put(names[0], kv[1]);
                }
            }
        }

        Spec multiTerm() {
            this.multiTerm = true;
            return this;
        }

        Map<String, String> args(Settings settings) {
            Map<String, String> values = new LinkedHashMap<>(defaults);
            for (String key : settings.keySet()) {
                if (key.equals("type") || key.equals("version") || key.startsWith("index.")) {
                    continue; // the type, and index-level settings Elasticsearch passes along
                }
                if (!params.containsKey(key)) {
                    throw new IllegalArgumentException(
                        "[" + name + "] parameter [" + key + "] is not supported by the Yipin"
                            + " test-bed build of analysis-common (supported: " + params.keySet()
                            + ")"
                    );
                }
                String lucene = params.get(key);
                List<String> list = settings.getAsList(key);
                values.put(key, String.join(inlineLists.contains(lucene) ? "\\n" : ",", list));
            }
            Map<String, String> args = new HashMap<>();
            for (Map.Entry<String, String> e : values.entrySet()) {
                String lucene = params.get(e.getKey());
                args.put(lucene, inlineLists.contains(lucene) ? "inline:" + lucene : e.getValue());
            }
            return args;
        }

        /** Lines of an inline list; mapping rules get the quotes Lucene's file format wants. */
        String inlineText(List<String> lines) {
            if (!name.equals("mapping")) {
                return String.join("\\n", lines);
            }
            StringBuilder out = new StringBuilder();
            for (String line : lines) {
                String[] sides = line.split("=>", 2);
                if (sides.length != 2) {
                    throw new IllegalArgumentException("[mapping] invalid rule [" + line + "]");
                }
                out.append(quote(sides[0].trim())).append(" => ").append(quote(sides[1].trim()));
                out.append('\\n');
            }
            return out.toString();
        }

        static String quote(String side) {
            return "\\"" + side.replace("\\\\", "\\\\\\\\").replace("\\"", "\\\\\\"") + "\\"";
        }

        @SuppressWarnings("unchecked")
        <T extends AbstractAnalysisFactory> T create(Settings settings) {
            Map<String, String> args = args(settings);
            Map<String, String> inline = new HashMap<>();
            for (String lucene : inlineLists) {
                for (Map.Entry<String, String> e : params.entrySet()) {
                    if (e.getValue().equals(lucene) && settings.hasValue(e.getKey())) {
                        inline.put("inline:" + lucene, inlineText(settings.getAsList(e.getKey())));
                    } else if (e.getValue().equals(lucene) && defaults.containsKey(e.getKey())) {
                        inline.put("inline:" + lucene, defaults.get(e.getKey()));
                    }
                }
            }
            try {
                T instance = (T) factory.getConstructor(Map.class).newInstance(args);
                if (instance instanceof ResourceLoaderAware aware) {
                    aware.inform(new InlineResources(inline));
                }
                return instance;
            } catch (java.lang.reflect.InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw new IllegalArgumentException("[" + name + "] " + cause.getMessage(), cause);
            } catch (ReflectiveOperationException | IOException e) {
                throw new IllegalArgumentException("[" + name + "] " + e.getMessage(), e);
            }
        }
    }

    /** Serves parameters given inline (word lists, mappings) as if they were files. */
    static final class InlineResources implements ResourceLoader {
        private final Map<String, String> files;

        InlineResources(Map<String, String> files) {
            this.files = files;
        }

        @Override
        public InputStream openResource(String resource) throws IOException {
            String text = files.get(resource);
            if (text == null) {
                throw new IOException("only inline lists are supported, not files: " + resource);
            }
            return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public <T> Class<? extends T> findClass(String cname, Class<T> expectedType) {
            try {
                return Class.forName(cname, true, CommonAnalysis.class.getClassLoader())
                    .asSubclass(expectedType);
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("class not found: " + cname, e);
            }
        }
    }

    static Spec s(String name, Class<? extends AbstractAnalysisFactory> factory, String... params) {
        return new Spec(name, factory, params);
    }

    static final List<Spec> TOKENIZERS = List.of(
        s("whitespace", WhitespaceTokenizerFactory.class,
            "max_token_length:maxTokenLen"),
        s("keyword", KeywordTokenizerFactory.class,
            "buffer_size:maxTokenLen=32766"),
        s("letter", LetterTokenizerFactory.class),
        s("classic", ClassicTokenizerFactory.class,
            "max_token_length:maxTokenLength"),
        s("uax_url_email", UAX29URLEmailTokenizerFactory.class,
            "max_token_length:maxTokenLength"),
        s("ngram", NGramTokenizerFactory.class,
            "min_gram:minGramSize=1", "max_gram:maxGramSize=2"),
        s("edge_ngram", EdgeNGramTokenizerFactory.class,
            "min_gram:minGramSize=1", "max_gram:maxGramSize=2"),
        s("pattern", PatternTokenizerFactory.class,
            "pattern=\\\\W+", "group=-1"),
        s("simple_pattern", SimplePatternTokenizerFactory.class,
            "pattern="),
        s("simple_pattern_split",
            SimplePatternSplitTokenizerFactory.class, "pattern="),
        s("path_hierarchy", PathHierarchyTokenizerFactory.class,
            "delimiter", "replace", "skip", "reverse"),
        s("thai", ThaiTokenizerFactory.class)
    );

    static final List<Spec> FILTERS = List.of(
        s("asciifolding", ASCIIFoldingFilterFactory.class,
            "preserve_original:preserveOriginal").multiTerm(),
        s("edge_ngram", EdgeNGramFilterFactory.class,
            "min_gram:minGramSize=1", "max_gram:maxGramSize=2",
            "preserve_original:preserveOriginal"),
        s("ngram", NGramFilterFactory.class,
            "min_gram:minGramSize=1", "max_gram:maxGramSize=2",
            "preserve_original:preserveOriginal"),
        s("cjk_bigram", CJKBigramFilterFactory.class,
            "output_unigrams:outputUnigrams", "han", "hiragana", "katakana", "hangul"),
        s("cjk_width", CJKWidthFilterFactory.class).multiTerm(),
        s("trim", TrimFilterFactory.class).multiTerm(),
        s("length", LengthFilterFactory.class,
            "min=0", "max=2147483647"),
        s("truncate", TruncateTokenFilterFactory.class,
            "length:prefixLength=10"),
        s("reverse", ReverseStringFilterFactory.class),
        s("uppercase", UpperCaseFilterFactory.class).multiTerm(),
        s("decimal_digit", DecimalDigitFilterFactory.class).multiTerm(),
        s("classic", ClassicFilterFactory.class),
        s("apostrophe", ApostropheFilterFactory.class),
        s("porter_stem", PorterStemFilterFactory.class),
        s("kstem", KStemFilterFactory.class),
        s("keep", KeepWordFilterFactory.class,
            "keep_words:@words"),
        s("pattern_replace", PatternReplaceFilterFactory.class,
            "pattern", "replacement=", "all=true"),
        s("word_delimiter_graph",
            WordDelimiterGraphFilterFactory.class,
            "generate_word_parts:generateWordParts=1",
            "generate_number_parts:generateNumberParts=1",
            "catenate_words:catenateWords=0", "catenate_numbers:catenateNumbers=0",
            "catenate_all:catenateAll=0", "split_on_case_change:splitOnCaseChange=1",
            "preserve_original:preserveOriginal=0", "split_on_numerics:splitOnNumerics=1",
            "stem_english_possessive:stemEnglishPossessive=1"),
        s("remove_duplicates",
            RemoveDuplicatesTokenFilterFactory.class),
        s("flatten_graph", FlattenGraphFilterFactory.class),
        s("synonym", SynonymGraphFilterFactory.class,
            "synonyms:@synonyms", "expand=true", "format"),
        s("synonym_graph", SynonymGraphFilterFactory.class,
            "synonyms:@synonyms", "expand=true", "format")
    );

    static final List<Spec> CHAR_FILTERS = List.of(
        s("html_strip", HTMLStripCharFilterFactory.class,
            "escaped_tags:escapedTags"),
        s("mapping", MappingCharFilterFactory.class,
            "mappings:@mapping"),
        s("pattern_replace", PatternReplaceCharFilterFactory.class,
            "pattern", "replacement=")
    );

    static Settings defaults() {
        return Settings.EMPTY;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> out = new LinkedHashMap<>();
        for (Spec spec : TOKENIZERS) {
            AnalysisProvider<TokenizerFactory> provider = (indexSettings, env, name, settings) -> {
                org.apache.lucene.analysis.TokenizerFactory f = spec.create(settings);
                return TokenizerFactory.newFactory(name, f::create);
            };
            out.put(spec.name, settingsIfNeeded(spec, provider));
        }
        return out;
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> out = new LinkedHashMap<>();
        for (Spec spec : FILTERS) {
            AnalysisProvider<TokenFilterFactory> provider = (indexSettings, env, name, s) -> {
                org.apache.lucene.analysis.TokenFilterFactory f = spec.create(s);
                return new TokenFilterFactory() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public TokenStream create(TokenStream input) {
                        return f.create(input);
                    }

                    @Override
                    public TokenStream normalize(TokenStream input) {
                        return spec.multiTerm ? f.normalize(input) : input;
                    }
                };
            };
            out.put(spec.name, settingsIfNeeded(spec, provider));
        }
        return out;
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> out = new LinkedHashMap<>();
        for (Spec spec : CHAR_FILTERS) {
            AnalysisProvider<CharFilterFactory> provider = (indexSettings, env, name, settings) -> {
                org.apache.lucene.analysis.CharFilterFactory f = spec.create(settings);
                return new CharFilterFactory() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public Reader create(Reader reader) {
                        return f.create(reader);
                    }
                };
            };
            out.put(spec.name, settingsIfNeeded(spec, provider));
        }
        return out;
    }

    /** Names usable without settings (as the stock module pre-configures them). */
    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        List<PreConfiguredTokenizer> out = new ArrayList<>();
        for (Spec spec : TOKENIZERS) {
            org.apache.lucene.analysis.TokenizerFactory f = defaultsOrNull(spec);
            if (f != null) {
                Supplier<Tokenizer> supplier = f::create;
                out.add(PreConfiguredTokenizer.singleton(spec.name, supplier));
            }
        }
        return out;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        List<PreConfiguredTokenFilter> out = new ArrayList<>();
        for (Spec spec : FILTERS) {
            org.apache.lucene.analysis.TokenFilterFactory f = defaultsOrNull(spec);
            if (f != null) {
                out.add(PreConfiguredTokenFilter.singleton(spec.name, spec.multiTerm, f::create));
            }
        }
        return out;
    }

    @Override
    public List<PreConfiguredCharFilter> getPreConfiguredCharFilters() {
        List<PreConfiguredCharFilter> out = new ArrayList<>();
        for (Spec spec : CHAR_FILTERS) {
            org.apache.lucene.analysis.CharFilterFactory f = defaultsOrNull(spec);
            if (f != null) {
                out.add(PreConfiguredCharFilter.singleton(spec.name, false, f::create));
            }
        }
        return out;
    }

    /** A component that cannot be built without parameters (a pattern, a word list) says so,
     * or Elasticsearch would build it with defaults for every index. */
    private static <T> AnalysisProvider<T> settingsIfNeeded(Spec spec, AnalysisProvider<T> p) {
        return defaultsOrNull(spec) == null ? AnalysisPlugin.requiresAnalysisSettings(p) : p;
    }

    private static <T extends AbstractAnalysisFactory> T defaultsOrNull(Spec spec) {
        try {
            return spec.create(Settings.EMPTY);
        } catch (RuntimeException e) {
            return null; // needs parameters (a pattern, a word list): not pre-configured
        }
    }
}
"""


class EsModule:
    """A module compiled against the distribution's own jars and copied into ``modules/``."""

    def __init__(self, name: str, description: str, classname: str, source: str) -> None:
        self.name = name
        self.description = description
        self.classname = classname
        self.source = source

    def fingerprint(self, es_version: str) -> str:
        text = "\n".join([es_version, self.name, self.classname, self.source])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def installed_fingerprint(self, es: Elasticsearch) -> str | None:
        stamp = es.home / "modules" / self.name / "yipin-testbed-build.txt"
        return stamp.read_text().strip() if stamp.exists() else None

    def is_current(self, es: Elasticsearch) -> bool:
        return self.installed_fingerprint(es) == self.fingerprint(es.version)

    def install(self, es: Elasticsearch) -> None:
        """Build and copy the module into the distribution (a no-op when current)."""
        if self.is_current(es):
            return
        javac = _javac()
        lib = es.home / "lib"
        classpath = sorted(lib.glob("*.jar"))
        package = self.source.split("package ", 1)[1].split(";", 1)[0].strip()
        cls = self.classname.rsplit(".", 1)[1]
        log(f"elasticsearch: building module {self.name} (javac)")
        with tempfile.TemporaryDirectory(prefix="yipin-es-module-") as tmp:
            src = Path(tmp) / "src" / package.replace(".", "/") / f"{cls}.java"
            src.parent.mkdir(parents=True)
            src.write_text(self.source)
            classes = Path(tmp) / "classes"
            result = subprocess.run(
                [
                    javac,
                    "--release",
                    "17",
                    "-nowarn",
                    "-d",
                    str(classes),
                    "-cp",
                    os.pathsep.join(map(str, classpath)),
                    str(src),
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if result.returncode != 0:
                raise TestbedError(f"javac failed:\n{result.stdout}{result.stderr}")
            staging = Path(tmp) / self.name
            staging.mkdir()
            with zipfile.ZipFile(staging / f"yipin-testbed-{self.name}.jar", "w") as jar:
                jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
                for path in sorted(classes.rglob("*.class")):
                    jar.write(path, path.relative_to(classes).as_posix())
            (staging / "plugin-descriptor.properties").write_text(
                f"description={self.description}\n"
                f"version={es.version}\n"
                f"name={self.name}\n"
                f"classname={self.classname}\n"
                "java.version=17\n"
                f"elasticsearch.version={es.version}\n"
                "extended.plugins=\n"
                "has.native.controller=false\n"
            )
            (staging / "yipin-testbed-build.txt").write_text(self.fingerprint(es.version) + "\n")
            target = es.home / "modules" / self.name
            partial = target.with_name(f".{self.name}.part")
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(staging, partial)
            for path in [partial, *partial.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
        log(f"elasticsearch: module {self.name} installed (loaded on the server's next start)")


ES_MODULES: tuple[EsModule, ...] = (
    EsModule(
        name="analysis-common",
        description=(
            "Yipin test-bed build of analysis-common: stock tokenizer, filter and char filter "
            "names with Elasticsearch parameters, from Lucene's analysis factories"
        ),
        classname="org.yipin.testbed.analysis.CommonAnalysis",
        source=ANALYSIS_COMMON_SOURCE,
    ),
)
