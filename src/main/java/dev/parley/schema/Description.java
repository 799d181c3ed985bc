package dev.parley.schema;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Tells the model what a record, a record component or an enum means: {@link JsonSchema} writes
 * the text as the {@code description} of the schema it generates for the annotated element.
 *
 * {@snippet :
 * @Description("A city's weather right now")
 * record Weather(@Description("degrees Celsius") double temperature, String summary) {}
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.RECORD_COMPONENT})
public @interface Description {

    /** {@return the description, in words the model reads} */
    String value();
}
